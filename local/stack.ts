import './polyfills';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadBulkImportSettings } from '../config/bulk-import-settings';
import { CONSOLE_DIST_DIRECTORY, CONSOLE_PATH } from '../config/console-hosting';
import { loadEntitlementSettings } from '../config/entitlement-settings';
import { EVENT_RULES } from '../config/event-rules';
import { OBJECT_NOTIFICATIONS } from '../config/object-notifications';
import { DEFAULT_REQUEST_QUOTA, type RequestQuotaSettings, requestQuotaFrom } from '../config/request-quota';
import { AUTHORIZER, ROUTES } from '../config/routes';
import { SCHEDULES } from '../config/schedules';
import { stateMachines } from '../config/state-machines';
import { consoleAssets } from './api/console-assets';
import { localEndpoints } from './api/local-endpoints';
import { openApiFront } from './api/server';
import { openDataDirectory } from './data-dir';
import { startDynamoDbLocal } from './dynamodb/engine';
import { startDynamoDbFaultProxy } from './dynamodb/fault-proxy';
import { ensureTable } from './dynamodb/table';
import {
  type EngineEndpoints,
  handlerEnvironment,
  LOCAL_ACCOUNT_ID,
  LOCAL_CREDENTIALS,
  LOCAL_NAMES,
  LOCAL_REGION,
  terminalLogLevel,
} from './environment';
import { createLocalEventBus } from './eventbridge/bus';
import { EventBridgeFaultSwitch } from './eventbridge/faults';
import { startPutEventsEndpoint } from './eventbridge/put-events';
import { createLocalIssuer } from './issuer/local-issuer';
import { ASYNC_TIMEOUT_MS, createLocalHandlers, type HandlerReference } from './lambda/handlers';
import { log } from './log';
import { startS3 } from './s3/engine';
import { createObjectNotifications } from './s3/notifications';
import { createLocalScheduler } from './schedules/scheduler';
import { startSes } from './ses/engine';
import { startLocalStepFunctions } from './stepfunctions';
import { captureStandardStreams } from './telemetry/standard-streams';
import { createLocalTelemetry } from './telemetry/telemetry';

export interface LocalStackOptions {
  /** Keep data here between runs; absent: throwaway temporary storage. */
  readonly dataDir?: string;
  /** Fixed ports; each one absent (or 0) means any free port. */
  readonly ports?: Partial<Record<'api' | keyof EngineEndpoints, number>>;
  /**
   * Changes to config/iam-bulk-import.yaml for this stack, as `muster:bulkImport` changes them for
   * a deployed environment (e.g. `{ maxRows: 50 }` to test the row limit without 100,000 rows).
   */
  readonly bulkImport?: Record<string, unknown>;
  /** Changes to config/iam-entitlements.yaml for this stack (e.g. a shorter approval SLA). */
  readonly entitlements?: Record<string, unknown>;
  /**
   * The `$batch` quota for this stack, over the defaults; MUSTER_RATE_LIMIT_RPM and
   * MUSTER_TENANT_RATE_LIMIT_RPM in the environment win over both, as `npm start` reads them.
   */
  readonly requestQuota?: Partial<RequestQuotaSettings>;
  /**
   * Fire the schedules of config/schedules.ts on the real clock (`npm start`). Off by default: tests
   * fire them at the time they choose with `POST /_local/schedules/{name}/run`.
   */
  readonly runSchedules?: boolean;
}

export interface LocalStack {
  readonly apiUrl: string;
  /** The admin console, served by the API front from `web/dist` (`npm run web:build`). */
  readonly consoleUrl: string;
  readonly endpoints: EngineEndpoints;
  /** The environment handed to handlers, also set on `process.env`. */
  readonly env: Readonly<Record<string, string>>;
  /** Where the data lives, and whether it outlives the stack. */
  readonly dataDir: { readonly path: string; readonly persistent: boolean };
  stop(): Promise<void>;
}

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** On stop, event deliveries in flight get this long to finish. */
const DRAIN_ON_STOP_MS = 2_000;

/**
 * Starts Muster on local engines, as `npm start` and the integration tests run it: the API front
 * first (so a taken port fails fast), the engines in parallel, then the table, the handler
 * environment and the migrations, and only then does the front answer requests.
 *
 * Handlers are imported into this process and keep their cold-start state (configuration, SDK
 * clients and the endpoints they resolved) for its lifetime: run one stack per process, or
 * restart one with the same `ports`.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const stoppers: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) {
      await stop().catch((error: unknown) => log.error('a local engine failed to stop', error));
    }
  };

  try {
    const ports = options.ports ?? {};
    const bulkImport = loadBulkImportSettings(options.bulkImport);
    const entitlements = loadEntitlementSettings(options.entitlements);
    const dataDir = await openDataDirectory(options.dataDir);
    stoppers.push(() => dataDir.dispose());
    const front = await openApiFront(ports.api ?? 0);
    stoppers.push(() => front.stop());
    // Before the handler environment replaces LOG_LEVEL: the terminal follows the developer's.
    const telemetry = createLocalTelemetry();
    const releaseStreams = captureStandardStreams({ telemetry, echoLevel: terminalLogLevel(process.env) });
    stoppers.push(async () => releaseStreams());

    const handlers = createLocalHandlers(REPO_ROOT);
    const invokeAsync = (target: HandlerReference, event: unknown) =>
      handlers.invoke(target, event, ASYNC_TIMEOUT_MS);
    const bus = createLocalEventBus({
      rules: EVENT_RULES,
      invokeTarget: invokeAsync,
      onDeadLetter: (event, delivery) =>
        log.warn(
          `event ${event.id} (${event['detail-type']}) dead-lettered after ${delivery.attempts} attempts ` +
            `to rule ${delivery.rule}: ${delivery.lastError}`,
        ),
    });
    const objectNotifications = createObjectNotifications({
      definitions: OBJECT_NOTIFICATIONS,
      buckets: { uploads: LOCAL_NAMES.uploadsBucket },
      region: LOCAL_REGION,
      invokeTarget: invokeAsync,
      onDeadLetter: (notification, event, progress) =>
        log.warn(
          `S3 notification ${notification} for ${event.Records.map((record) => record.s3.object.key).join(', ')} ` +
            `dead-lettered after ${progress.attempts} attempts: ${progress.lastError}`,
        ),
    });

    const eventBridgeFaults = new EventBridgeFaultSwitch();
    const started = <TEngine extends { stop(): Promise<void> }>(engine: Promise<TEngine>) =>
      engine.then((running) => {
        stoppers.push(() => running.stop());
        return running;
      });
    const s3Engine = started(
      startS3({
        directory: join(dataDir.root, 's3'),
        buckets: [LOCAL_NAMES.uploadsBucket, LOCAL_NAMES.reportsBucket],
        ...(ports.s3 ? { port: ports.s3 } : {}),
      }),
    );
    const engines = [
      // On any free port: the stack's DynamoDB endpoint (`ports.dynamodb`) is the fault proxy in front.
      started(
        startDynamoDbLocal({
          repoRoot: REPO_ROOT,
          ...(dataDir.persistent ? { dataDir: join(dataDir.root, 'dynamodb') } : {}),
        }),
      ),
      s3Engine,
      started(startSes(ports.ses ? { port: ports.ses } : {})),
      started(
        startLocalStepFunctions({
          stateMachines: stateMachines({ bulkImport, entitlements }),
          // Called on a task's first invocation, long after the handler environment is set.
          loadHandler: handlers.load,
          // Map states with an ItemReader read their manifest from the S3 engine, when they run.
          readObject: async (bucket, key) => (await s3Engine).readObject(bucket, key),
          // As on AWS, an execution that ends unsuccessfully says so on EventBridge (config/event-rules.ts).
          onStatusChange: (change) => bus.publish({ ...change, bus: 'default', time: new Date() }),
          region: LOCAL_REGION,
          accountId: LOCAL_ACCOUNT_ID,
          ...(ports.sfn ? { port: ports.sfn } : {}),
        }),
      ),
      started(
        startPutEventsEndpoint({
          bus,
          busName: LOCAL_NAMES.eventBus,
          faults: eventBridgeFaults,
          ...(ports.eventbridge ? { port: ports.eventbridge } : {}),
        }),
      ),
    ] as const;
    // Every engine settles (and is registered for stopping) before a failure of one is thrown.
    await Promise.allSettled(engines);
    const [dynamodb, s3, ses, sfn, eventbridge] = await Promise.all(engines);
    // Handlers and tests reach DynamoDB through it, so a test can throttle a tenant's writes.
    const dynamodbFaults = await started(
      startDynamoDbFaultProxy({
        target: dynamodb.endpoint,
        ...(ports.dynamodb ? { port: ports.dynamodb } : {}),
      }),
    );
    // Deliveries in flight finish before the engines they write to go away.
    stoppers.push(() =>
      Promise.race([
        Promise.all([bus.drain(), objectNotifications.drain()]).then(() => undefined),
        delay(DRAIN_ON_STOP_MS, undefined, { ref: false }),
      ]),
    );
    const endpoints: EngineEndpoints = {
      dynamodb: dynamodbFaults.endpoint,
      s3: s3.endpoint,
      ses: ses.endpoint,
      sfn: sfn.endpoint,
      eventbridge: eventbridge.endpoint,
    };

    const issuer = await createLocalIssuer({
      baseUrl: front.url,
      audience: LOCAL_NAMES.audience,
      ...(dataDir.persistent ? { keyFile: join(dataDir.root, 'issuer-key.json') } : {}),
    });
    const env = handlerEnvironment(
      {
        endpoints,
        issuer,
        apiUrl: front.url,
        bulkImport,
        entitlements,
        requestQuota: requestQuotaFrom(process.env, { ...DEFAULT_REQUEST_QUOTA, ...options.requestQuota }),
      },
      process.env,
    );
    Object.assign(process.env, env);

    const admin = new DynamoDBClient({
      endpoint: endpoints.dynamodb,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await ensureTable(admin, LOCAL_NAMES.table);
    } finally {
      admin.destroy();
    }
    // Imported only now: these modules read the environment when they load, like a handler's cold start.
    const { applyMigrations } = await import('../functions/migrations/apply');
    await applyMigrations();
    const { localPrincipals } = await import('./issuer/ensure-principal');
    const ensurePrincipal = localPrincipals(LOCAL_NAMES.table);
    // S3 notifications start once handlers can load, as the front starts routing only then.
    const unsubscribe = s3.onObjectCreated((object) => objectNotifications.dispatch(object));
    stoppers.push(async () => unsubscribe());

    const scheduler = createLocalScheduler({
      schedules: SCHEDULES,
      invoke: (target, event) => handlers.invoke(target, event, ASYNC_TIMEOUT_MS),
      region: LOCAL_REGION,
      accountId: LOCAL_ACCOUNT_ID,
    });
    if (options.runSchedules) {
      scheduler.start();
      stoppers.push(async () => scheduler.stop());
    }

    front.serve({
      routes: ROUTES,
      authorizer: AUTHORIZER,
      invoke: handlers.invoke,
      localRoutes: localEndpoints({
        issuer,
        ensurePrincipal,
        sentEmails: () => ses.sentEmails(),
        messagingFaults: {
          ses: { set: (faults) => ses.setFaults(faults), report: () => ses.faultReport() },
          eventbridge: eventBridgeFaults,
        },
        bus,
        scheduler,
        telemetry,
        dynamodbFaults,
      }),
      console: consoleAssets({
        distDirectory: join(REPO_ROOT, CONSOLE_DIST_DIRECTORY),
        // The wizard uploads to a presigned URL of the S3 engine, another origin.
        connectSources: [endpoints.s3],
      }),
    });

    return {
      apiUrl: front.url,
      consoleUrl: `${front.url}${CONSOLE_PATH}/`,
      endpoints,
      env,
      dataDir: { path: dataDir.root, persistent: dataDir.persistent },
      async stop() {
        await front.stop();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

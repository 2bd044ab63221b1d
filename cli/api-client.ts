import { ulid } from 'ulid';
import { z } from 'zod';

export const IMPORT_BASE = '/internal/iam/users/bulk-import';
const APPROVALS_BASE = '/internal/approvals';

/** An answer of the API that is not a success: what the operator needs to quote it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly correlationId: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const envelopeSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  correlationId: z.string().optional(),
});

const countsSchema = z.looseObject({
  total: z.number(),
  valid: z.number(),
  invalid: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  pendingApproval: z.number(),
  notified: z.number(),
  grantsApproved: z.number(),
  grantsRejected: z.number(),
});

export const taskSchema = z.looseObject({
  taskId: z.string(),
  fileName: z.string().optional(),
  status: z.string(),
  counts: countsSchema,
  run: z.number(),
  failureReason: z.string().optional(),
  reportUrl: z.string().optional(),
  successExportUrl: z.string().optional(),
  failedExportUrl: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type TaskView = z.infer<typeof taskSchema>;
export type TaskCounts = TaskView['counts'];

export const issueSchema = z.object({
  row: z.number().nullable(),
  column: z.string().nullable(),
  code: z.string(),
  severity: z.string(),
  message: z.string(),
  suggestion: z.string(),
});
export type ImportIssue = z.infer<typeof issueSchema>;
const issuesPageSchema = z.object({ items: z.array(issueSchema), nextToken: z.string().optional() });

const uploadSchema = z.object({
  fileId: z.string(),
  uploadUrl: z.string(),
  method: z.enum(['POST', 'PUT']),
  fields: z.record(z.string(), z.string()).default({}),
  headers: z.record(z.string(), z.string()).default({}),
});
export type PresignedUpload = z.infer<typeof uploadSchema>;

const welcomeEmailReplaySchema = z.looseObject({
  taskId: z.string(),
  sent: z.number(),
  failed: z.number(),
  remaining: z.number(),
});
export type WelcomeEmailReplay = z.infer<typeof welcomeEmailReplaySchema>;

const startedRunSchema = z.looseObject({
  taskId: z.string(),
  status: z.string(),
  run: z.number().optional(),
});

export const approvalSchema = z.looseObject({
  approvalId: z.string(),
  subject: z.looseObject({
    type: z.string(),
    taskId: z.string().optional(),
    run: z.number().optional(),
    assignmentId: z.string().optional(),
  }),
  risk: z.string(),
  approverRole: z.string(),
  requestedBy: z.string(),
  grants: z.number(),
  summary: z.string(),
  status: z.string(),
  createdAt: z.string(),
  slaDueAt: z.string(),
  decision: z
    .looseObject({ decidedBy: z.string().optional(), justification: z.string().optional() })
    .optional(),
});
export type ApprovalView = z.infer<typeof approvalSchema>;
const approvalsPageSchema = z.object({ items: z.array(approvalSchema), nextToken: z.string().optional() });

const localTokenSchema = z.looseObject({ accessToken: z.string(), userId: z.string().optional() });
export type LocalToken = z.infer<typeof localTokenSchema>;

export interface LocalIdentity {
  readonly tenantId: string;
  readonly email: string;
  readonly roles: readonly string[];
}

interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Record<string, string | undefined>;
  readonly authenticated?: boolean;
  readonly redirect?: 'follow' | 'manual';
}

/**
 * The Muster HTTP API as the CLI uses it. Every request carries a correlation id of its own, so an
 * error the API could not put one on (a proxy's HTML page) can still be quoted.
 */
export class MusterApi {
  private tokenPromise: Promise<string> | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly token: () => Promise<string>,
  ) {}

  /** `POST /_local/token`: a bearer token from the local stack's issuer (absent on a deployed API). */
  async localToken(identity: LocalIdentity): Promise<LocalToken> {
    const body = {
      tenantId: identity.tenantId,
      email: identity.email,
      ...(identity.roles.length > 0 ? { roles: identity.roles } : {}),
    };
    const response = await this.send('POST', '/_local/token', { body, authenticated: false });
    if (response.status === 404) {
      throw new ApiError(
        404,
        'NOT_A_LOCAL_STACK',
        `${this.baseUrl} has no /_local/token: pass --token (or MUSTER_TOKEN) for a deployed API.`,
        response.correlationId,
      );
    }
    return localTokenSchema.parse(this.expectOk(response));
  }

  /** The CSV template's text, or the XLSX workbook's bytes fetched from its short-lived link. */
  async template(format: 'csv' | 'xlsx'): Promise<Uint8Array> {
    const response = await this.send('GET', `${IMPORT_BASE}/template`, {
      query: { format },
      redirect: 'manual',
    });
    if (format === 'csv') {
      this.expectOk(response);
      return new TextEncoder().encode(response.text);
    }
    if (response.status !== 303) this.expectOk(response);
    const { downloadUrl } = z.object({ downloadUrl: z.string() }).parse(JSON.parse(response.text));
    const download = await fetch(downloadUrl);
    if (!download.ok) {
      throw new ApiError(download.status, 'DOWNLOAD_FAILED', 'The template link did not answer.', '');
    }
    return new Uint8Array(await download.arrayBuffer());
  }

  async createUpload(fileName: string, sizeBytes: number): Promise<PresignedUpload> {
    const response = await this.send('POST', `${IMPORT_BASE}/uploads`, { body: { fileName, sizeBytes } });
    return uploadSchema.parse(this.expectOk(response));
  }

  /** Sends the file where the API said: a form POST with its fields, or a plain PUT. */
  async sendUpload(upload: PresignedUpload, fileName: string, bytes: Uint8Array): Promise<void> {
    let response: Response;
    if (upload.method === 'POST') {
      const form = new FormData();
      for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
      form.append('file', new Blob([bytes]), fileName);
      response = await fetch(upload.uploadUrl, { method: 'POST', body: form });
    } else {
      response = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body: bytes });
    }
    if (!response.ok) {
      const text = await response.text();
      const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? 'UPLOAD_FAILED';
      throw new ApiError(response.status, code, `The storage refused the upload (${response.status}).`, '');
    }
  }

  async startValidation(fileId: string): Promise<{ taskId: string; status: string }> {
    const response = await this.send('POST', `${IMPORT_BASE}/validation`, { body: { fileId } });
    return startedRunSchema.parse(this.expectOk(response));
  }

  async task(taskId: string): Promise<TaskView> {
    const response = await this.send('GET', `${IMPORT_BASE}/${encodeURIComponent(taskId)}`);
    return taskSchema.parse(this.expectOk(response));
  }

  /** Every validation issue of a task, all pages, in row order. */
  async allIssues(taskId: string, limit = 1000): Promise<ImportIssue[]> {
    const issues: ImportIssue[] = [];
    let nextToken: string | undefined;
    do {
      const response = await this.send('GET', `${IMPORT_BASE}/${encodeURIComponent(taskId)}/errors`, {
        query: { limit: String(limit), nextToken },
      });
      const page = issuesPageSchema.parse(this.expectOk(response));
      issues.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return issues;
  }

  /** The first `limit` issues only: what `import` shows after validation. */
  async firstIssues(taskId: string, limit: number): Promise<ImportIssue[]> {
    const response = await this.send('GET', `${IMPORT_BASE}/${encodeURIComponent(taskId)}/errors`, {
      query: { limit: String(limit) },
    });
    return issuesPageSchema.parse(this.expectOk(response)).items;
  }

  async commit(taskId: string, sendWelcome: boolean): Promise<{ taskId: string; run?: number }> {
    const response = await this.send('POST', `${IMPORT_BASE}/commit`, { body: { taskId, sendWelcome } });
    return startedRunSchema.parse(this.expectOk(response));
  }

  async retry(taskId: string): Promise<{ taskId: string; run?: number }> {
    const response = await this.send('POST', `${IMPORT_BASE}/${encodeURIComponent(taskId)}/retry`);
    return startedRunSchema.parse(this.expectOk(response));
  }

  /** Resumes the task's current run at the step that failed: 409 when it runs, succeeded, or cannot be. */
  async redrive(taskId: string): Promise<{ taskId: string; run?: number }> {
    const response = await this.send('POST', `${IMPORT_BASE}/${encodeURIComponent(taskId)}/redrive`);
    return startedRunSchema.parse(this.expectOk(response));
  }

  /**
   * Sends the task's welcome emails not yet SENT, as many as one call has time for: 200 when none
   * remains, 202 with how many do.
   */
  async replayWelcomeEmails(taskId: string): Promise<WelcomeEmailReplay> {
    const response = await this.send('POST', `${IMPORT_BASE}/${encodeURIComponent(taskId)}/welcome-emails`);
    return welcomeEmailReplaySchema.parse(this.expectOk(response));
  }

  /** Every approval in `status` the caller may decide, all pages. */
  async approvals(status: string): Promise<ApprovalView[]> {
    const approvals: ApprovalView[] = [];
    let nextToken: string | undefined;
    do {
      const response = await this.send('GET', APPROVALS_BASE, { query: { status, nextToken } });
      const page = approvalsPageSchema.parse(this.expectOk(response));
      approvals.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return approvals;
  }

  async decide(
    approvalId: string,
    decision: 'APPROVE' | 'REJECT',
    justification: string | undefined,
  ): Promise<ApprovalView> {
    const response = await this.send('POST', `${APPROVALS_BASE}/${encodeURIComponent(approvalId)}/decision`, {
      body: { decision, ...(justification !== undefined ? { justification } : {}) },
    });
    return approvalSchema.parse(this.expectOk(response));
  }

  private async send(method: string, path: string, options: RequestOptions = {}) {
    const correlationId = `muster-cli-${ulid().toLowerCase()}`;
    const headers: Record<string, string> = { 'x-correlation-id': correlationId };
    if (options.authenticated !== false) {
      this.tokenPromise ??= this.token();
      headers.authorization = `Bearer ${await this.tokenPromise}`;
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const url = new URL(path, this.baseUrl);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        redirect: options.redirect ?? 'follow',
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new ApiError(0, 'API_UNREACHABLE', `Cannot reach ${this.baseUrl}: ${reason}`, correlationId);
    }
    return { status: response.status, text: await response.text(), correlationId };
  }

  private expectOk(response: { status: number; text: string; correlationId: string }): unknown {
    let body: unknown;
    try {
      body = response.text ? JSON.parse(response.text) : undefined;
    } catch {
      body = undefined;
    }
    if (response.status >= 200 && response.status < 300) return body;
    const envelope = envelopeSchema.safeParse(body);
    if (envelope.success) {
      throw new ApiError(
        response.status,
        envelope.data.error.code,
        envelope.data.error.message,
        envelope.data.correlationId ?? response.correlationId,
      );
    }
    throw new ApiError(
      response.status,
      `HTTP_${response.status}`,
      `Unexpected answer: ${response.text.slice(0, 200) || '(empty)'}`,
      response.correlationId,
    );
  }
}

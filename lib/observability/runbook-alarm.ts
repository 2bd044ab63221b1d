import { Alarm, ComparisonOperator, type IMetric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** Where the on-call engineer reads what an alarm means and how to repair it. */
export const RUNBOOK = 'docs/runbook.md';

export interface RunbookAlarmProps {
  readonly metric: IMetric;
  /** What it means when the alarm fires, in a sentence. */
  readonly meaning: string;
  /** The alarm's section of the runbook (its heading's anchor). */
  readonly runbookAnchor: string;
  readonly threshold: number;
  /** At or above the threshold unless told otherwise; the seeds' "more than" is GREATER_THAN_THRESHOLD. */
  readonly comparison?: ComparisonOperator;
  readonly evaluationPeriods?: number;
  /** Of the evaluation periods, how many must breach; all of them unless told otherwise. */
  readonly datapointsToAlarm?: number;
  /** No data is nothing wrong unless told otherwise: most of these metrics only exist while work runs. */
  readonly treatMissingData?: TreatMissingData;
}

/**
 * An alarm that tells the topic when it fires and when it recovers, and whose description says
 * what it means and where its runbook section is (the SNS message carries the description).
 */
export function runbookAlarm(
  scope: Construct,
  id: string,
  environmentName: string,
  topic: ITopic,
  props: RunbookAlarmProps,
): Alarm {
  const evaluationPeriods = props.evaluationPeriods ?? 1;
  const alarm = new Alarm(scope, id, {
    metric: props.metric,
    alarmDescription: `Muster ${environmentName}: ${props.meaning} Runbook: ${RUNBOOK}#${props.runbookAnchor}`,
    threshold: props.threshold,
    evaluationPeriods,
    datapointsToAlarm: props.datapointsToAlarm ?? evaluationPeriods,
    comparisonOperator: props.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: props.treatMissingData ?? TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(topic));
  alarm.addOkAction(new SnsAction(topic));
  return alarm;
}

// Every alert the service raises, all routed to one action group that emails the on-call address.
// Log alerts query the Log Analytics workspace behind the workspace-based Application Insights component, in
// the tables the Azure Monitor OpenTelemetry exporter fills: AppRequests (server spans: Name, DurationMs,
// Success), AppMetrics (instruments: Name, Sum, ItemCount, Min, Max, tags in Properties) and AppEvents (log
// records carrying microsoft.custom_event.name: Name, attributes in Properties), with the telemetry names of
// docs/settings.md. Each rule points at its runbook entry in docs/operations.md (the anchor is its short name).
@description('Token that makes the rule names unique per environment.')
param namePrefix string

@description('Azure region of the log alert rules (metric alerts and action groups are global).')
param location string = resourceGroup().location

@description('Tags for the resources.')
param tags object = {}

@description('Email address of the on-call receiver; empty creates the group without receivers.')
param alertEmail string = ''

@description('Log Analytics workspace of the Application Insights component: the log alerts query its App* tables.')
param logAnalyticsName string

@description('Service Bus namespace whose dead-letter count is watched.')
param serviceBusNamespaceName string

@description('Queue whose dead-lettered batches raise an alert.')
param batchQueueName string = 'basket-batches'

@description('ScoreBasket p99 latency threshold (ms).')
param scoreLatencyP99ThresholdMs int = 500

@description('Failed-request percentage threshold.')
param failureRatePercentThreshold int = 5

@description('Fraud-rate spike: last hour over the previous day, as a multiple.')
param fraudRateSpikeFactor int = 3

@description('Maximum serving-model age in days.')
param modelMaxAgeDays int = 30

@description('Where the runbook lives; each rule links to its own section.')
param runbookUrl string = 'docs/operations.md'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: logAnalyticsName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-fraud-${namePrefix}'
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'fraudalerts'
    enabled: true
    emailReceivers: empty(alertEmail)
      ? []
      : [
          {
            name: 'on-call'
            emailAddress: alertEmail
            useCommonAlertSchema: true
          }
        ]
  }
}

// ScoreBasket p99 latency, as the handler's server span measured it (FraudMetrics.ScoreRequestName).
resource scoreLatency 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-score-latency-p99-${namePrefix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'ScoreBasket p99 latency'
    description: 'p99 of ScoreBasket request duration over 5 minutes is above the threshold. Runbook: ${runbookUrl}#scorebasket-p99-latency'
    severity: 2
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: '''
AppRequests
| where Name == 'POST /api/score'
| summarize p99 = percentile(DurationMs, 99), calls = count()
| where calls >= 20
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'p99'
          operator: 'GreaterThan'
          threshold: scoreLatencyP99ThresholdMs
          failingPeriods: {
            numberOfEvaluationPeriods: 2
            minFailingPeriodsToAlert: 2
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: '${runbookUrl}#scorebasket-p99-latency'
      }
    }
  }
}

// Failure rate of every invocation (HTTP, queue and timer), so a broken dependency shows up whichever path hits it.
resource failureRate 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-failure-rate-${namePrefix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Failure rate'
    description: 'More than the threshold percentage of invocations failed over 5 minutes. Runbook: ${runbookUrl}#failure-rate'
    severity: 1
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    criteria: {
      allOf: [
        {
          query: '''
AppRequests
| summarize calls = count(), failed = countif(Success == false)
| where calls >= 20
| extend failurePercent = 100.0 * failed / calls
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'failurePercent'
          operator: 'GreaterThan'
          threshold: failureRatePercentThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: '${runbookUrl}#failure-rate'
      }
    }
  }
}

// Service Bus metric DeadletteredMessages: a batch failed maxDeliveryCount times and waits for a human.
resource deadLettered 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: 'alert-dead-lettered-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    description: 'Batches are sitting in the ${batchQueueName} dead-letter queue. Runbook: ${runbookUrl}#dead-lettered-batches'
    severity: 2
    enabled: true
    scopes: [
      serviceBus.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'DeadletteredBatches'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          dimensions: [
            {
              name: 'EntityName'
              operator: 'Include'
              values: [
                batchQueueName
              ]
            }
          ]
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Maximum'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// AppEvents DriftAlert: the monitoring job found a feature (or the score) whose PSI crossed its limit.
resource drift 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-drift-${namePrefix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Feature drift'
    description: 'The MonitorModel job raised a DriftAlert event. Runbook: ${runbookUrl}#feature-drift'
    severity: 3
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: '''
AppEvents
| where Name == 'DriftAlert'
| extend feature = tostring(Properties.feature)
'''
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: false
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: '${runbookUrl}#feature-drift'
      }
    }
  }
}

// AppMetrics fraud.decisions: the share of scored baskets flagged (review or decline) in the last
// hour against the day before it. Decisions are counted per basket, so the last hour has data whenever
// there was traffic; fraud.rate is a gauge of the monitoring window and too coarse for this.
resource fraudRateSpike 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-fraud-rate-spike-${namePrefix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Fraud-rate spike'
    description: 'The flagged share of the last hour is above the threshold multiple of the previous day. Runbook: ${runbookUrl}#fraud-rate-spike'
    severity: 1
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    // The baseline needs the day before the window, so the query sees more than the window.
    overrideQueryTimeRange: 'P1D'
    criteria: {
      allOf: [
        {
          query: '''
let decisions = AppMetrics
    | where Name == 'fraud.decisions'
    | extend decision = tolower(tostring(Properties.decision));
let baselineRate = toscalar(decisions
    | where TimeGenerated <= ago(1h)
    | summarize sumif(Sum, decision != 'approve') / sum(Sum));
decisions
| where TimeGenerated > ago(1h)
| summarize flagged = sumif(Sum, decision != 'approve'), scored = sum(Sum)
| where scored >= 50 and baselineRate > 0
| extend spikeFactor = (flagged / scored) / baselineRate
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'spikeFactor'
          operator: 'GreaterThan'
          threshold: fraudRateSpikeFactor
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: '${runbookUrl}#fraud-rate-spike'
      }
    }
  }
}

// AppMetrics fraud.model.age_days (a gauge: each exported point carries the value as Sum with ItemCount 1): the champion has not been retrained/promoted for too long.
resource modelAge 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-model-age-${namePrefix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Model older than allowed'
    description: 'The serving model is older than the allowed number of days. Runbook: ${runbookUrl}#model-age'
    severity: 3
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT6H'
    windowSize: 'PT6H'
    criteria: {
      allOf: [
        {
          query: '''
AppMetrics
| where Name == 'fraud.model.age_days'
| summarize ageDays = max(Sum / ItemCount)
'''
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'ageDays'
          operator: 'GreaterThan'
          threshold: modelMaxAgeDays
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: '${runbookUrl}#model-age'
      }
    }
  }
}

// AppMetrics fraud.prediction_log.dropped: scored baskets that never reached the prediction log
// (drift checks and retraining would silently lose data).
resource predictionLogDrops 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = {
  name: 'alert-prediction-log-drops-${namePrefix}'
  location: location
  tags: tags
  kind: 'LogAlert'
  properties: {
    displayName: 'Prediction-log drops'
    description: 'The handler dropped prediction records because its buffer was full or the store failed. Runbook: ${runbookUrl}#prediction-log-drops'
    severity: 2
    enabled: true
    scopes: [
      logAnalytics.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: '''
AppMetrics
| where Name == 'fraud.prediction_log.dropped'
| summarize dropped = sum(Sum)
'''
          timeAggregation: 'Total'
          metricMeasureColumn: 'dropped'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: [
        actionGroup.id
      ]
      customProperties: {
        runbook: '${runbookUrl}#prediction-log-drops'
      }
    }
  }
}

output actionGroupId string = actionGroup.id

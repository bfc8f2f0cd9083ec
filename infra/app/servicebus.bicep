// Partners queue batches of baskets here; ProcessBatch (host trigger) consumes them and answers on
// the results queue. Local (SAS) auth is off: senders and the app use Entra ID roles.
@description('Service Bus namespace name.')
param name string

@description('Azure region.')
param location string = resourceGroup().location

@description('Tags for the resource.')
param tags object = {}

@description('Namespace tier.')
@allowed([
  'Standard'
  'Premium'
])
param skuName string = 'Standard'

@description('Queue of incoming batches (ProcessBatch trigger).')
param batchQueueName string = 'basket-batches'

@description('Queue of completion messages (ProcessBatch output).')
param resultQueueName string = 'basket-results'

@description('Refuse public network traffic (the private-network option: the app comes through a private endpoint, which needs Premium).')
param privateNetworking bool = false

@description('Deliveries before a batch is dead-lettered: a transient failure gets retries, a poison batch does not loop forever.')
@minValue(1)
@maxValue(100)
param maxDeliveryCount int = 5

// Scoring 10,000 baskets takes seconds, but writing the scored blob and the prediction log can
// stall on a cold instance; 5 minutes (the Service Bus maximum) plus the host's lock renewal
// keeps one slow batch from being delivered twice.
var batchLockDuration = 'PT5M'

// The partner's client sets MessageId to the batch id (`fraud submit`), so a resent batch inside this window is
// dropped by the queue itself. The window must outlast every retry of a send: the SDK's default retry policy gives
// up within about 5 minutes (3 retries, exponential back-off capped at 60 s, 60 s try timeout), a partner's job
// rerun after a failure is the longer case, so one day. ProcessBatch's own idempotence covers resends after it.
var duplicateDetectionWindow = 'P1D'
var isPremium = skuName == 'Premium'

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: name
  location: location
  tags: tags
  sku: isPremium
    ? {
        name: skuName
        tier: skuName
        capacity: 1
      }
    : {
        name: skuName
        tier: skuName
      }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
  }

  resource batchQueue 'queues' = {
    name: batchQueueName
    properties: union(
      {
        lockDuration: batchLockDuration
        requiresDuplicateDetection: true
        duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
        maxDeliveryCount: maxDeliveryCount
        deadLetteringOnMessageExpiration: true
        defaultMessageTimeToLive: 'P7D'
        maxSizeInMegabytes: 1024
      },
      // Premium accepts a whole 10,000-basket batch in one message; Basic and Standard stop at 256 KB.
      isPremium ? { maxMessageSizeInKilobytes: 102400 } : {}
    )
  }

  resource resultQueue 'queues' = {
    name: resultQueueName
    properties: {
      lockDuration: 'PT1M'
      maxDeliveryCount: 10
      deadLetteringOnMessageExpiration: true
      defaultMessageTimeToLive: 'P14D'
      maxSizeInMegabytes: 1024
    }
  }
}

output name string = namespace.name
output id string = namespace.id
// serviceBusEndpoint is https://<name>.servicebus.windows.net:443/ in every cloud; the host wants the bare host name.
output fullyQualifiedNamespace string = split(replace(namespace.properties.serviceBusEndpoint, 'https://', ''), ':')[0]

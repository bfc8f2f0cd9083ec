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
  'Basic'
  'Standard'
  'Premium'
])
param skuName string = 'Standard'

@description('Queue of incoming batches (ProcessBatch trigger).')
param batchQueueName string = 'basket-batches'

@description('Queue of completion messages (ProcessBatch output).')
param resultQueueName string = 'basket-results'

@description('Deliveries before a batch is dead-lettered: a transient failure gets retries, a poison batch does not loop forever.')
@minValue(1)
@maxValue(100)
param maxDeliveryCount int = 5

// Scoring 10,000 baskets takes seconds, but writing the scored blob and the prediction log can
// stall on a cold instance; 5 minutes (the Service Bus maximum) plus the host's lock renewal
// keeps one slow batch from being delivered twice.
var batchLockDuration = 'PT5M'
var isPremium = skuName == 'Premium'

resource namespace 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
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
    publicNetworkAccess: 'Enabled'
  }

  resource batchQueue 'queues' = {
    name: batchQueueName
    properties: union(
      {
        lockDuration: batchLockDuration
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

// Everything `azd up` provisions for the basket-fraud scoring service, after
// Azure-Samples/functions-quickstart-dotnet-azd(-service-bus): one resource group, one user-assigned
// identity that every data-plane call uses (no keys anywhere), and a Flex Consumption app that
// costs nothing while idle.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; it seeds every resource name and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Azure region for every resource; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the user or service principal running azd; it gets data access only with deployerDataAccess.')
param principalId string = ''

@description('Give the deploying principal standing data access (Blob Data Contributor on models and runs, Data Sender on the batch queue), which the postdeploy hook needs to register a first model. Off by default: least privilege.')
param deployerDataAccess bool = false

@description('Private-network option: a virtual network with private endpoints for storage and Service Bus, which then refuse public traffic; Service Bus becomes Premium (private endpoints need it).')
param privateNetworking bool = false

@description('Whether principalId is a User or a ServicePrincipal (CI signs in as a service principal).')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param principalType string = 'User'

@description('Email address that receives every alert. Empty creates the action group without receivers.')
param alertEmail string = ''

@description('Service Bus tier. Standard allows 256 KB messages (about 200 baskets); Premium allows 100 MB but has a fixed hourly charge. Basic lacks duplicate detection.')
@allowed([
  'Standard'
  'Premium'
])
param serviceBusSku string = 'Standard'

@description('Upper bound on Flex Consumption instances: caps the bill when traffic spikes (the platform enforces its own minimum).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per Flex Consumption instance (MB).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Concurrent HTTP requests one instance takes before Flex Consumption adds another.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 16

@description('Days the Log Analytics workspace keeps telemetry.')
@minValue(30)
@maxValue(730)
param logRetentionDays int = 30

@description('Daily ingestion cap of the Log Analytics workspace in GB (-1 for none): a runaway log loop cannot run up the bill.')
param logDailyCapGb int = 1

@description('Alert when ScoreBasket p99 latency exceeds this many milliseconds.')
param scoreLatencyP99ThresholdMs int = 500

@description('Alert when more than this percentage of requests fail.')
param failureRatePercentThreshold int = 5

@description('Alert when the fraud rate of scored baskets over the last hour exceeds this multiple of the day before.')
param fraudRateSpikeFactor int = 3

@description('Alert when the serving model is older than this many days.')
param modelMaxAgeDays int = 30

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}
var batchQueueName = 'basket-batches'
var resultQueueName = 'basket-results'
var deploymentContainerName = 'deployment'
// The product store's containers (Fraud.Registry.Containers), the Functions host's own (timer leases, function
// keys) and the deployment package's: created up front so each role can be scoped to a container.
var productContainerNames = [
  'models'
  'runs'
  'predictions'
  'labels'
  'scored'
  'rejected'
  'batches'
]
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]
var containerNames = concat(productContainerNames, hostContainerNames, [deploymentContainerName])

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// The one identity the app uses for Storage, Service Bus and telemetry.
module identity 'app/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

module monitoring 'monitoring/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    retentionInDays: logRetentionDays
    dailyQuotaGb: logDailyCapGb
    privateNetworking: privateNetworking
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    containerNames: containerNames
    privateNetworking: privateNetworking
  }
}

module serviceBus 'app/servicebus.bicep' = {
  name: 'servicebus'
  scope: rg
  params: {
    name: 'sb-${resourceToken}'
    location: location
    tags: tags
    skuName: privateNetworking ? 'Premium' : serviceBusSku
    privateNetworking: privateNetworking
    batchQueueName: batchQueueName
    resultQueueName: resultQueueName
  }
}

module network 'app/network.bicep' = if (privateNetworking) {
  name: 'network'
  scope: rg
  params: {
    name: 'vnet-${resourceToken}'
    location: location
    tags: tags
    storageAccountName: storage.outputs.name
    serviceBusNamespaceName: serviceBus.outputs.name
  }
}

module monitoringPrivateLink 'monitoring/privatelink.bicep' = if (privateNetworking) {
  name: 'monitoring-private-link'
  scope: rg
  params: {
    name: 'ampls-${resourceToken}'
    location: location
    tags: tags
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    vnetId: network!.outputs.vnetId
    endpointSubnetId: network!.outputs.endpointSubnetId
    blobZoneId: network!.outputs.blobZoneId
  }
}

module api 'app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: 'func-${resourceToken}'
    planName: 'plan-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    serviceBusNamespaceName: serviceBus.outputs.name
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    appSubnetId: privateNetworking ? network!.outputs.appSubnetId : ''
  }
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    appContainerNames: containerNames
    serviceBusNamespaceName: serviceBus.outputs.name
    batchQueueName: batchQueueName
    resultQueueName: resultQueueName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    appPrincipalId: identity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    deployerDataAccess: deployerDataAccess
  }
}

module alerts 'monitoring/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: resourceToken
    location: location
    tags: tags
    alertEmail: alertEmail
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    serviceBusNamespaceName: serviceBus.outputs.name
    batchQueueName: batchQueueName
    scoreLatencyP99ThresholdMs: scoreLatencyP99ThresholdMs
    failureRatePercentThreshold: failureRatePercentThreshold
    fraudRateSpikeFactor: fraudRateSpikeFactor
    modelMaxAgeDays: modelMaxAgeDays
  }
}

module workbook 'monitoring/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: monitoring.outputs.logAnalyticsName
    displayName: 'Basket fraud scoring (${environmentName})'
  }
}

// azd writes these into .azure/<env>/.env; the hooks and the README read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_URI string = api.outputs.uri
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output FRAUD_STORE_URL string = storage.outputs.blobEndpoint
output SERVICE_BUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output SERVICE_BUS_BATCH_QUEUE string = batchQueueName
output SERVICE_BUS_RESULT_QUEUE string = resultQueueName
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output WORKBOOK_ID string = workbook.outputs.id

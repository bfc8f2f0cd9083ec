// Data-plane roles, each scoped to the narrowest resource it is for (docs/operations.md, "Least privilege"):
// - the app identity: Storage Blob Data Contributor (not Owner: no ACL or ownership changes) on each container it
//   writes, one assignment per container; Table Data Contributor on the account for the host's diagnostic
//   events (monthly table names, so no fixed table to scope to); Service Bus Data Receiver on the batch queue
//   and Data Sender on the results queue only; Monitoring Metrics Publisher on the Application Insights component.
// - the deploying principal: nothing by default. With deployerDataAccess, only what the postdeploy hook and an
//   operator's first steps need: Blob Data Contributor on `models` and `runs` (register a first model) and Data
//   Sender on the batch queue (send a test batch).
@description('Storage account of the host and the product store.')
param storageAccountName string

@description('Containers the app reads and writes: the product store\'s, the host\'s own and the deployment package\'s.')
param appContainerNames array

@description('Containers the deploying principal may write when deployerDataAccess is on.')
param deployerContainerNames array = [
  'models'
  'runs'
]

@description('Service Bus namespace of the batch queues.')
param serviceBusNamespaceName string

@description('Queue the app receives batches from.')
param batchQueueName string

@description('Queue the app sends completion messages to.')
param resultQueueName string

@description('Application Insights component receiving telemetry.')
param applicationInsightsName string

@description('Principal id of the app\'s user-assigned identity.')
param appPrincipalId string

@description('Principal id of the user or CI service principal running azd; empty to grant nothing.')
param deployerPrincipalId string = ''

@description('Principal type of deployerPrincipalId.')
@allowed([
  'User'
  'ServicePrincipal'
  'Group'
])
param deployerPrincipalType string = 'User'

@description('Whether the deploying principal gets standing data access (off by default: least privilege).')
param deployerDataAccess bool = false

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
}
var grantDeployer = deployerDataAccess && !empty(deployerPrincipalId)

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }
}

resource appContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = [
  for containerName in appContainerNames: {
    parent: storage::blobService
    name: containerName
  }
]

resource deployerContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-06-01' existing = [
  for containerName in deployerContainerNames: {
    parent: storage::blobService
    name: containerName
  }
]

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName

  resource batchQueue 'queues' existing = {
    name: batchQueueName
  }

  resource resultQueue 'queues' existing = {
    name: resultQueueName
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource appBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in appContainerNames: {
    name: guid(appContainers[i].id, appPrincipalId, roles.storageBlobDataContributor)
    scope: appContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
      principalId: appPrincipalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource appTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, appPrincipalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appReceive 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::batchQueue.id, appPrincipalId, roles.serviceBusDataReceiver)
  scope: serviceBus::batchQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appSend 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus::resultQueue.id, appPrincipalId, roles.serviceBusDataSender)
  scope: serviceBus::resultQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource appMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, appPrincipalId, roles.monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource deployerBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in deployerContainerNames: if (grantDeployer) {
    name: guid(deployerContainers[i].id, deployerPrincipalId, roles.storageBlobDataContributor)
    scope: deployerContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
    }
  }
]

resource deployerSend 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantDeployer) {
  name: guid(serviceBus::batchQueue.id, deployerPrincipalId, roles.serviceBusDataSender)
  scope: serviceBus::batchQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
  }
}

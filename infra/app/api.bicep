// The Flex Consumption plan and the function app that runs the C# custom handler. Every connection
// is identity-based; the app settings below are exactly the table in docs/settings.md
// (tests/Infra.Tests checks both directions), so keep them a literal object.
@description('Function app name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region.')
param location string = resourceGroup().location

@description('Tags for the resources.')
param tags object = {}

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (the host and DefaultAzureCredential pick it by this id).')
param identityClientId string

@description('Storage account holding the host state, the product store and the deployment package.')
param storageAccountName string

@description('Blob container Flex Consumption deploys the package to.')
param deploymentContainerName string = 'deployment'

@description('Service Bus namespace of the batch queues.')
param serviceBusNamespaceName string

@description('Application Insights component receiving telemetry.')
param applicationInsightsName string

@description('Upper bound on instances.')
param maximumInstanceCount int = 40

@description('Memory per instance (MB).')
param instanceMemoryMB int = 2048

@description('Concurrent HTTP requests per instance before scaling out.')
param httpPerInstanceConcurrency int = 16

@description('NCRONTAB schedule of the MonitorModel timer (drift check, retraining, promotion gate).')
param monitorSchedule string = '0 0 */6 * * *'

@description('Subnet the app integrates with (the private-network option); empty for none.')
param appSubnetId string = ''

@description('Registry model name the handler serves.')
param modelName string = 'basket-fraud'

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var blobEndpoint = 'https://${storage.name}.blob.${environment().suffixes.storage}'
var serviceBusHost = split(replace(serviceBus.properties.serviceBusEndpoint, 'https://', ''), ':')[0]

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // With the private-network option, storage and Service Bus are reached through this subnet's private endpoints.
    virtualNetworkSubnetId: empty(appSubnetId) ? null : appSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}/${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      // The handler is a self-contained linux-x64 executable named in host.json; 'custom' tells the
      // platform not to bring a language worker.
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
  }

  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Host storage (identity-based): blobs (leases, keys, the package) and the diagnostic-events table; no queue
      // or blob triggers, so no queue endpoint.
      AzureWebJobsStorage__blobServiceUri: blobEndpoint
      AzureWebJobsStorage__tableServiceUri: 'https://${storage.name}.table.${environment().suffixes.storage}'
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      // The `connection` of the ProcessBatch Service Bus bindings.
      ServiceBusConnection__fullyQualifiedNamespace: serviceBusHost
      ServiceBusConnection__credential: 'managedidentity'
      ServiceBusConnection__clientId: identityClientId
      // The product store (models, runs, predictions, labels, scored, rejected).
      FraudStorage__blobServiceUri: blobEndpoint
      FraudStorage__credential: 'managedidentity'
      FraudStorage__clientId: identityClientId
      // Telemetry with Entra ID auth: the component has local auth off.
      APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
      AZURE_CLIENT_ID: identityClientId
      // Product options.
      Fraud__ModelName: modelName
      Fraud__ModelPollSeconds: '30'
      Fraud__MaxBatchBaskets: '10000'
      // Off in Azure: the postdeploy hook registers the first model instead of every cold start training one.
      Fraud__BootstrapTrainingRows: '0'
      MonitorSchedule: monitorSchedule
    }
  }

  // No FTP or SCM basic-auth publishing: azd deploys with an Entra ID token.
  resource ftpCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = app.name
output id string = app.id
output uri string = 'https://${app.properties.defaultHostName}'

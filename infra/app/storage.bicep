// The store for models, runs, predictions, labels, scored and rejected batches, and the Flex
// Consumption package. Shared keys are off: every caller (host, handler, CLI) signs in with Entra ID.
@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string = resourceGroup().location

@description('Tags for the resource.')
param tags object = {}

@description('Every container to create: the product store\'s, the Functions host\'s and the deployment package\'s (main.bicep). Created here so that roles can be scoped to each one.')
param containerNames array

@description('Refuse public network traffic (the private-network option: callers come through private endpoints, network.bicep).')
param privateNetworking bool = false

@description('Days before scored baskets and prediction logs move to the cool tier (they are read rarely after the drift window).')
param coolAfterDays int = 30

resource storage 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: privateNetworking ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: privateNetworking ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'
    properties: {
      // Soft delete keeps an overwritten or deleted model recoverable for a week.
      deleteRetentionPolicy: {
        enabled: true
        days: 7
      }
      containerDeleteRetentionPolicy: {
        enabled: true
        days: 7
      }
    }

    resource containers 'containers' = [
      for containerName in containerNames: {
        name: containerName
        properties: {
          publicAccess: 'None'
        }
      }
    ]
  }

  resource lifecycle 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'cool-old-predictions'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  'predictions/'
                  'scored/'
                ]
              }
              actions: {
                baseBlob: {
                  tierToCool: {
                    daysAfterModificationGreaterThan: coolAfterDays
                  }
                }
              }
            }
          }
        ]
      }
    }
  }
}

output name string = storage.name
output id string = storage.id
// Without the trailing slash: the handler and CLI append container names themselves.
output blobEndpoint string = 'https://${storage.name}.blob.${environment().suffixes.storage}'
output tableEndpoint string = 'https://${storage.name}.table.${environment().suffixes.storage}'

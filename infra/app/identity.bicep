// The app's user-assigned identity: created before the app, so role assignments can be granted
// before the first cold start instead of racing it.
@description('Name of the user-assigned managed identity.')
param name string

@description('Azure region.')
param location string = resourceGroup().location

@description('Tags for the resource.')
param tags object = {}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId

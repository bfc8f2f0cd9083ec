// Azure Monitor over private link (main.bicep's privateNetworking): an Azure Monitor Private Link Scope (AMPLS) holding
// the Log Analytics workspace and the Application Insights component, one private endpoint for it in the network's
// endpoint subnet, and the private DNS zones Azure Monitor's endpoints resolve through. Ingestion is PrivateOnly: the
// app's telemetry (handler exporter and Functions host) reaches the workspace only through the endpoint, and
// monitoring.bicep turns public ingestion off. Queries stay Open so that analysts, the workbook and the alert rules
// keep working from the portal without being inside the network.
@description('Private link scope name.')
param name string

@description('Azure region of the private endpoint.')
param location string = resourceGroup().location

@description('Tags for the resources.')
param tags object = {}

@description('Log Analytics workspace to scope.')
param logAnalyticsName string

@description('Application Insights component to scope.')
param applicationInsightsName string

@description('Virtual network the DNS zones are linked to.')
param vnetId string

@description('Subnet that holds private endpoints.')
param endpointSubnetId string

@description('The blob private DNS zone network.bicep already created (Azure Monitor also resolves a blob endpoint).')
param blobZoneId string

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: logAnalyticsName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource scope 'Microsoft.Insights/privateLinkScopes@2021-07-01-preview' = {
  name: name
  location: 'global'
  tags: tags
  properties: {
    accessModeSettings: {
      ingestionAccessMode: 'PrivateOnly'
      queryAccessMode: 'Open'
    }
  }
}

resource scopedWorkspace 'Microsoft.Insights/privateLinkScopes/scopedResources@2021-07-01-preview' = {
  parent: scope
  name: 'workspace'
  properties: {
    linkedResourceId: logAnalytics.id
  }
}

resource scopedComponent 'Microsoft.Insights/privateLinkScopes/scopedResources@2021-07-01-preview' = {
  parent: scope
  name: 'application-insights'
  properties: {
    linkedResourceId: applicationInsights.id
  }
}

// The zones the azuremonitor endpoint registers names in (besides the shared blob zone).
var zoneNames = [
  'privatelink.monitor.azure.com'
  'privatelink.oms.opinsights.azure.com'
  'privatelink.ods.opinsights.azure.com'
  'privatelink.agentsvc.azure-automation.net'
]

var zoneConfigs = [
  for zone in zoneNames: {
    name: replace(zone, '.', '-')
    properties: {
      privateDnsZoneId: resourceId('Microsoft.Network/privateDnsZones', zone)
    }
  }
]

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for zone in zoneNames: {
    name: zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (zone, i) in zoneNames: {
    parent: zones[i]
    name: '${name}-link'
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnetId
      }
    }
  }
]

resource endpoint 'Microsoft.Network/privateEndpoints@2024-05-01' = {
  name: 'pe-monitor-${name}'
  location: location
  tags: tags
  properties: {
    subnet: {
      id: endpointSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'azuremonitor'
        properties: {
          privateLinkServiceId: scope.id
          groupIds: [
            'azuremonitor'
          ]
        }
      }
    ]
  }
  dependsOn: [
    scopedWorkspace
    scopedComponent
  ]
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: concat(zoneConfigs, [
      {
        name: 'blob'
        properties: {
          privateDnsZoneId: blobZoneId
        }
      }
    ])
  }
  dependsOn: [
    zones
  ]
}

output id string = scope.id

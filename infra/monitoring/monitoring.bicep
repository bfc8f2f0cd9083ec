// Log Analytics and workspace-based Application Insights. Local (instrumentation-key) auth is off:
// the handler's OpenTelemetry exporter and the Functions host send with the app identity's token.
@description('Log Analytics workspace name.')
param logAnalyticsName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Azure region.')
param location string = resourceGroup().location

@description('Tags for the resources.')
param tags object = {}

@description('Days the workspace keeps telemetry.')
param retentionInDays int = 30

@description('Daily ingestion cap in GB; -1 for none.')
param dailyQuotaGb int = 1

@description('Accept ingestion only through the Azure Monitor private link scope (privatelink.bicep); queries stay public.')
param privateNetworking bool = false

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    workspaceCapping: {
      dailyQuotaGb: dailyQuotaGb
    }
    features: {
      disableLocalAuth: true
    }
    publicNetworkAccessForIngestion: privateNetworking ? 'Disabled' : 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    IngestionMode: 'LogAnalytics'
    DisableLocalAuth: true
    publicNetworkAccessForIngestion: privateNetworking ? 'Disabled' : 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

output logAnalyticsId string = logAnalytics.id
output logAnalyticsName string = logAnalytics.name
output applicationInsightsId string = applicationInsights.id
output applicationInsightsName string = applicationInsights.name

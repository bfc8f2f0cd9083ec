// The operations dashboard: an Azure Monitor workbook over the Log Analytics workspace behind Application
// Insights (the App* tables the OpenTelemetry exporter fills). Its panels live in
// dashboard.workbook.json (edit it in the portal's Advanced Editor and paste it back).
@description('Azure region.')
param location string = resourceGroup().location

@description('Tags for the resource.')
param tags object = {}

@description('Log Analytics workspace the panels query.')
param logAnalyticsName string

@description('Title shown in the workbook gallery.')
param displayName string = 'Basket fraud scoring'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: logAnalyticsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs; derive it so redeploys update the same workbook.
  name: guid(resourceGroup().id, logAnalytics.id, 'fraud-dashboard')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    version: 'Notebook/1.0'
    sourceId: logAnalytics.id
    serializedData: replace(loadTextContent('dashboard.workbook.json'), '__LOG_ANALYTICS_ID__', logAnalytics.id)
  }
}

output id string = workbook.id

// The operations dashboard: an Azure Monitor workbook over Application Insights. Its panels live in
// dashboard.workbook.json (edit it in the portal's Advanced Editor and paste it back).
@description('Azure region.')
param location string = resourceGroup().location

@description('Tags for the resource.')
param tags object = {}

@description('Application Insights component the panels query.')
param applicationInsightsName string

@description('Title shown in the workbook gallery.')
param displayName string = 'Basket fraud scoring'

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // Workbook names must be GUIDs; derive it so redeploys update the same workbook.
  name: guid(resourceGroup().id, applicationInsights.id, 'fraud-dashboard')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    version: 'Notebook/1.0'
    sourceId: applicationInsights.id
    serializedData: replace(loadTextContent('dashboard.workbook.json'), '__APPLICATION_INSIGHTS_ID__', applicationInsights.id)
  }
}

output id string = workbook.id

using System.Reflection;
using System.Text.Json.Nodes;
using FraudFunctions.Hosting;
using FraudFunctions.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace FraudFunctions.OpenApi;

/// <summary>
/// Makes <c>/openapi/v1.json</c> say what the handler does (issue 19, item 10). Microsoft.AspNetCore.OpenApi writes
/// the operations and the response schemas from the endpoints and the response types; this adds what it cannot see:
/// <list type="bullet">
/// <item>request bodies from the <see cref="RequestShape"/> each handler validates against (<see cref="RequestContract"/>):
/// required lists, JSON kinds, bounds, no unknown fields, so the document and <see cref="RequestValidator"/> cannot disagree;</item>
/// <item>query flags the handler reads itself (<c>explain</c>);</item>
/// <item>the key on every endpoint that <see cref="ContractEndpoints.RequireKey"/> guards, as security schemes, with its 401;</item>
/// <item>response schemas as serialised: null members are left out (<c>WhenWritingNull</c>), so they are optional, never null;</item>
/// <item>servers without a trailing slash, tags and the licence.</item>
/// </list>
/// Checked against real answers and linted with <c>redocly lint</c> in FraudFunctions.Tests (OpenApiDocumentTests).
/// </summary>
public sealed class ContractDocument : IOpenApiOperationTransformer, IOpenApiDocumentTransformer
{
    /// <summary>The Functions host's key in a header, the way partners send it.</summary>
    public const string FunctionKeyHeader = "functionKey";

    /// <summary>The same key as <c>?code=</c>.</summary>
    public const string FunctionKeyQuery = "functionKeyQuery";

    /// <summary>Standalone: <c>Fraud__ApiKey</c> in <c>x-api-key</c>.</summary>
    public const string StandaloneKey = "apiKey";

    private const string Json = "application/json";
    private const string ProblemJson = "application/problem+json";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(context);
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document;
        operation.Responses ??= [];

        foreach (var flag in metadata.OfType<QueryFlag>())
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = flag.Name,
                In = ParameterLocation.Query,
                Required = false,
                Description = flag.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.Boolean, Default = JsonValue.Create(flag.Default) },
            });
            AddProblem(operation, "400", "A query value or the body is not valid; `errors` names each field.", document, validation: true);
        }

        if (metadata.OfType<RequestContract>().FirstOrDefault() is { } contract)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = $"{Capitalise(contract.Shape.Noun)} as JSON (`Content-Type: application/json`). Fields the contract does not list are refused.",
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    [Json] = new OpenApiMediaType { Schema = Reference(contract.Shape, document) },
                },
            };
            AddProblem(operation, "400", "The body is not valid: `errors` names each field by its JSON path (`items[0].cashPrice`).", document, validation: true);
            AddProblem(operation, "415", "The body was not sent as `application/json`.", document);
        }

        if (metadata.OfType<KeyRequired>().Any())
        {
            operation.Security =
            [
                Requirement(FunctionKeyHeader, document),
                Requirement(FunctionKeyQuery, document),
                Requirement(StandaloneKey, document),
            ];
            AddProblem(operation, "401", "The key is missing or wrong (standalone with `Fraud__ApiKey` set; the Functions host answers 401 itself).", document);
        }
        else
        {
            // An empty requirement says "anonymous" explicitly (health, like its function.json's authLevel).
            operation.Security = [new OpenApiSecurityRequirement()];
        }

        // Kestrel refuses request headers over its 32 KB limit before any endpoint runs, on every path.
        operation.Responses.TryAdd("431", new OpenApiResponse { Description = "The request headers are larger than 32 KB; no body." });
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(context);
        document.Info = new OpenApiInfo
        {
            Title = "Basket fraud scoring API",
            Version = typeof(ContractDocument).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0",
            Description = "Scores consumer-credit shopping baskets for fraud and records fraud labels. Every error is RFC 9457 "
                + "ProblemDetails (`application/problem+json`). Under the Azure Functions host every operation except health needs "
                + "a function key (`x-functions-key` or `?code=`); standalone, `x-api-key` when `Fraud__ApiKey` is set.",
            // The repository states no licence, so none is granted: say so rather than name one that does not apply.
            License = new OpenApiLicense { Name = "Proprietary: all rights reserved", Identifier = "LicenseRef-Proprietary" },
        };

        document.Servers = [.. Servers(document.Servers)];
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = "Scoring", Description = "Score baskets, record labels and read the served model's card and statistics." },
            new() { Name = "Status", Description = "Health: anonymous status for probes, details behind the key." },
        };

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal)
        {
            [FunctionKeyHeader] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "x-functions-key",
                Description = "A function key of the app (under the Azure Functions host).",
            },
            [FunctionKeyQuery] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Query,
                Name = "code",
                Description = "The same function key as a query parameter.",
            },
            [StandaloneKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyFilter.Header,
                Description = "Standalone only: the key set in `Fraud__ApiKey` (no key is needed when none is set; the handler then listens on loopback only).",
            },
        };

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var schema in document.Components.Schemas.Values.OfType<OpenApiSchema>())
        {
            OmitNulls(schema);
        }

        // Request bodies: one component per named structure, built from the same shapes the validator walks.
        foreach (var contract in context.DescriptionGroups.SelectMany(g => g.Items).SelectMany(d => d.ActionDescriptor.EndpointMetadata.OfType<RequestContract>()))
        {
            Register(contract.Shape, document);
        }

        return Task.CompletedTask;
    }

    /// <summary>The schema of a request value of <paramref name="shape"/>; structures become references to their component.</summary>
    private static IOpenApiSchema Reference(RequestShape shape, OpenApiDocument? document) => shape.Kind switch
    {
        JsonKind.Structure => new OpenApiSchemaReference(shape.SchemaName ?? throw new InvalidOperationException($"{shape.Noun} has no schema name."), document),
        _ => Inline(shape, nullable: false, document),
    };

    private static OpenApiSchema Inline(RequestShape shape, bool nullable, OpenApiDocument? document)
    {
        // An optional field may be sent as null (the validator accepts it); a required one may not.
        var orNull = nullable ? JsonSchemaType.Null : 0;
        return shape.Kind switch
        {
            JsonKind.Text => new OpenApiSchema { Type = JsonSchemaType.String | orNull, MinLength = shape.MinLength, MaxLength = shape.MaxLength },
            JsonKind.Number => new OpenApiSchema { Type = JsonSchemaType.Number | orNull, Format = "double", Minimum = Bound(shape.Minimum) },
            JsonKind.WholeNumber => new OpenApiSchema { Type = JsonSchemaType.Integer | orNull, Format = "int32", Minimum = Bound(shape.Minimum), Maximum = Bound(int.MaxValue) },
            JsonKind.Boolean => new OpenApiSchema { Type = JsonSchemaType.Boolean | orNull },
            JsonKind.DateTime => new OpenApiSchema { Type = JsonSchemaType.String | orNull, Format = "date-time" },
            JsonKind.List => new OpenApiSchema
            {
                Type = JsonSchemaType.Array | orNull,
                Items = Reference(shape.Items!, document),
                MinItems = shape.MinItems,
                MaxItems = shape.MaxItems,
            },
            _ => throw new InvalidOperationException($"{shape.Noun} cannot be written inline."),
        };
    }

    private static void Register(RequestShape shape, OpenApiDocument document)
    {
        if (shape.Kind == JsonKind.List)
        {
            Register(shape.Items!, document);
            return;
        }

        if (shape.Kind != JsonKind.Structure || document.Components!.Schemas!.ContainsKey(shape.SchemaName!))
        {
            return;
        }

        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = $"{Capitalise(shape.Noun)}. Every field not listed here is refused with a 400 naming it.",
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal),
            Required = new HashSet<string>(StringComparer.Ordinal),
            AdditionalPropertiesAllowed = false,
        };
        document.Components!.Schemas![shape.SchemaName!] = schema;
        foreach (var field in shape.Fields)
        {
            IOpenApiSchema property = field.Shape.Kind == JsonKind.Structure
                ? new OpenApiSchemaReference(field.Shape.SchemaName!, document) { Description = field.Description }
                : WithDescription(Inline(field.Shape, nullable: !field.Required, document), field.Description);
            schema.Properties[field.Name] = property;
            if (field.Required)
            {
                schema.Required.Add(field.Name);
            }

            Register(field.Shape, document);
        }
    }

    /// <summary>
    /// The handler's JSON options leave null members out (<c>WhenWritingNull</c>): a nullable member of a response is
    /// absent rather than null, so it is not required and its type has no null.
    /// </summary>
    private static void OmitNulls(OpenApiSchema schema)
    {
        if (schema.Properties is null)
        {
            return;
        }

        foreach (var name in schema.Properties.Keys.ToList())
        {
            switch (schema.Properties[name])
            {
                case OpenApiSchema property when property.Type is { } type && type.HasFlag(JsonSchemaType.Null):
                    property.Type = type & ~JsonSchemaType.Null;
                    schema.Required?.Remove(name);
                    break;
                case OpenApiSchema property when property.OneOf is { Count: 2 } options && options.Any(IsNull):
                    schema.Properties[name] = options.First(o => !IsNull(o));
                    schema.Required?.Remove(name);
                    break;
            }
        }
    }

    private static bool IsNull(IOpenApiSchema schema) => schema is OpenApiSchema { Type: JsonSchemaType.Null };

    private static IEnumerable<OpenApiServer> Servers(IEnumerable<OpenApiServer>? generated)
    {
        // The generator's entry is the address this document was asked for, written with a trailing slash.
        foreach (var server in generated ?? [])
        {
            if (server.Url is { Length: > 0 } url)
            {
                yield return new OpenApiServer { Url = url.TrimEnd('/'), Description = "This handler (standalone)." };
            }
        }

        yield return new OpenApiServer
        {
            Url = "https://{app}.azurewebsites.net",
            Description = "The function app in Azure (`azd up`); every operation but health needs a function key.",
            Variables = new Dictionary<string, OpenApiServerVariable>(StringComparer.Ordinal)
            {
                ["app"] = new OpenApiServerVariable { Default = "func-app", Description = "The function app's name (`func-<token>`, output `AZURE_FUNCTION_NAME`)." },
            },
        };
    }

    private static void AddProblem(OpenApiOperation operation, string status, string description, OpenApiDocument? document, bool validation = false)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
            {
                [ProblemJson] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchemaReference(validation ? "HttpValidationProblemDetails" : "ProblemDetails", document),
                },
            },
        };
    }

    private static OpenApiSecurityRequirement Requirement(string scheme, OpenApiDocument? document) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };

    private static OpenApiSchema WithDescription(OpenApiSchema schema, string description)
    {
        schema.Description = description;
        return schema;
    }

    private static string? Bound(double? value) => value?.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static string Capitalise(string noun) => noun.Length == 0 ? noun : char.ToUpperInvariant(noun[0]) + noun[1..];
}

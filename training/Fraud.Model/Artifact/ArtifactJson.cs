using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Fraud.Model.Artifact;

/// <summary>Reads the model's JSON files, turning malformed JSON into one <see cref="ModelFormatException"/> message.</summary>
internal static class ArtifactJson
{
    /// <param name="utf8Json">The file's UTF-8 JSON.</param>
    /// <param name="type">The source-generated type information to read it with.</param>
    /// <param name="what">What the file is, as the message names it (for example "The model file").</param>
    public static T? Read<T>(Stream utf8Json, JsonTypeInfo<T> type, string what)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        try
        {
            return JsonSerializer.Deserialize(utf8Json, type);
        }
        catch (JsonException ex)
        {
            throw Invalid(what, ex);
        }
    }

    /// <inheritdoc cref="Read{T}(Stream, JsonTypeInfo{T}, string)"/>
    public static T? Read<T>(ReadOnlySpan<byte> utf8Json, JsonTypeInfo<T> type, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(utf8Json, type);
        }
        catch (JsonException ex)
        {
            throw Invalid(what, ex);
        }
    }

    private static ModelFormatException Invalid(string what, JsonException ex) => new($"{what} is not valid JSON ({ex.Message}).", ex);
}

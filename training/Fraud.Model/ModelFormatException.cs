namespace Fraud.Model;

/// <summary>A model or card file that cannot be used: corrupt JSON, another schema version, or features that do not match.</summary>
public sealed class ModelFormatException : Exception
{
    public ModelFormatException()
    {
    }

    public ModelFormatException(string message)
        : base(message)
    {
    }

    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

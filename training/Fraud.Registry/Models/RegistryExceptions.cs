namespace Fraud.Registry;

/// <summary>A registry operation that cannot be done as asked; the message says why and what to do.</summary>
public class RegistryException : Exception
{
    public RegistryException()
    {
    }

    public RegistryException(string message)
        : base(message)
    {
    }

    public RegistryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The alias changed between reading and writing it: another promotion won. Nothing was written.</summary>
public sealed class RegistryConflictException : RegistryException
{
    public RegistryConflictException()
    {
    }

    public RegistryConflictException(string message)
        : base(message)
    {
    }

    public RegistryConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The version (or alias target) does not exist in the registry.</summary>
public sealed class ModelVersionNotFoundException : RegistryException
{
    public ModelVersionNotFoundException()
    {
    }

    public ModelVersionNotFoundException(string message)
        : base(message)
    {
    }

    public ModelVersionNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

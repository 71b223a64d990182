namespace Concierge.Service.Errors;

/// <summary>
/// A disk image was asked for that is larger than the space left on the service's file system.
/// The Chrome OS face answers it with DISK_STATUS_NOT_ENOUGH_SPACE.
/// </summary>
public sealed class DiskSpaceException : Exception
{
    /// <summary>Creates the exception with a message that says how much was asked and how much is free.</summary>
    public DiskSpaceException(string message)
        : base(message)
    {
    }

    /// <summary>Standard constructor.</summary>
    public DiskSpaceException()
        : this("not enough space for the disk image")
    {
    }

    /// <summary>Standard constructor.</summary>
    public DiskSpaceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace Concierge.Vmm.Memory;

/// <summary>The guest named a range of guest-physical memory that is not wholly inside its RAM.</summary>
public sealed class GuestMemoryAccessException : GuestFaultException
{
    /// <summary>Creates the exception for the range [<paramref name="address"/>, +<paramref name="length"/>).</summary>
    public GuestMemoryAccessException(ulong address, ulong length)
        : base($"guest memory range 0x{address:x}+0x{length:x} is outside guest RAM")
    {
        Address = address;
        Length = length;
    }

    /// <summary>Creates the exception with a message.</summary>
    public GuestMemoryAccessException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner fault.</summary>
    public GuestMemoryAccessException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public GuestMemoryAccessException() : base("guest memory access outside guest RAM")
    {
    }

    /// <summary>First guest-physical address of the rejected range.</summary>
    public ulong Address { get; }

    /// <summary>Length of the rejected range in bytes.</summary>
    public ulong Length { get; }
}

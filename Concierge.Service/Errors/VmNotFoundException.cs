using Concierge.Service.Registry;

namespace Concierge.Service.Errors;

/// <summary>
/// The caller named a VM it has no VM by (including another owner's VM: a caller cannot tell
/// those apart, so a non-owner learns nothing). Typed face: org.chromium.VmConcierge.Error.NoSuchVm.
/// </summary>
public sealed class VmNotFoundException : Exception
{
    /// <summary>Creates the exception for <paramref name="name"/>.</summary>
    public VmNotFoundException(string name)
        : base($"no VM named '{name}'")
    {
    }

    /// <summary>Creates the exception for <paramref name="key"/>.</summary>
    public VmNotFoundException(VmKey key)
        : this(key.Name)
    {
    }

    /// <summary>Standard constructor.</summary>
    public VmNotFoundException()
        : base("no such VM")
    {
    }

    /// <summary>Standard constructor.</summary>
    public VmNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

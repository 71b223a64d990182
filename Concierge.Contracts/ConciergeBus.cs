namespace Concierge.Contracts;

/// <summary>The service's names on the bus: one well-known name, one root object, three interfaces.</summary>
public static class ConciergeBus
{
    /// <summary>The well-known bus name the service owns.</summary>
    public const string ServiceName = "org.chromium.VmConcierge";

    /// <summary>The root object: the Chrome OS face, the typed manager and the ObjectManager.</summary>
    public const string RootPath = "/org/chromium/VmConcierge";

    /// <summary>The Chrome OS-compatible interface (protobuf in <c>ay</c>).</summary>
    public const string ChromeOsInterface = "org.chromium.VmConcierge";

    /// <summary>The typed manager interface on the root object.</summary>
    public const string ManagerInterface = "org.chromium.VmConcierge.Manager";

    /// <summary>The interface of each VM object.</summary>
    public const string VmInterface = "org.chromium.VmConcierge.Vm";

    /// <summary>Where VM objects live.</summary>
    public const string VmPathPrefix = RootPath + "/vm/";

    /// <summary>The service's error for a VM the caller does not have.</summary>
    public const string NoSuchVmError = "org.chromium.VmConcierge.Error.NoSuchVm";

    /// <summary>The service's error for a request the VM's state does not allow.</summary>
    public const string InvalidStateError = "org.chromium.VmConcierge.Error.InvalidState";
}

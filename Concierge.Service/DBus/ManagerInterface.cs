using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.Service.Api;
using Concierge.Service.Registry;
using Serilog;
using Concierge.Service.Vms;

namespace Concierge.Service.DBus;

/// <summary>
/// <c>org.chromium.VmConcierge.Manager</c> on the root object, for busctl and desktop shells.
/// Names are the caller's own VMs (the owner is always the caller's uid). Errors are D-Bus errors:
/// InvalidArgs (bad name or option), org.chromium.VmConcierge.Error.NoSuchVm, .InvalidState,
/// AccessDenied (an image path the caller may not use), Failed.
/// </summary>
public sealed class ManagerInterface : ApiInterface
{
    /// <summary>The interface name.</summary>
    public const string InterfaceName = Contracts.ConciergeBus.ManagerInterface;

    /// <summary>The interface's metadata (the contract is Api/Interfaces/org.chromium.VmConcierge.Manager.xml).</summary>
    public static InterfaceDescription Metadata { get; } = new(InterfaceName)
    {
        Methods =
        [
            new("StartVm", [new("name", "s"), new("options", "a{sv}")], [new("vm", "o")]),
            new("StopVm", [new("name", "s")]),
            new("StopAllVms"),
            new("ListVms", outArguments: [new("vms", "a(sso)")]),
            new("GetVm", [new("name", "s")], [new("vm", "o")]),
            new("CreateDiskImage", [new("name", "s"), new("size_bytes", "t")], [new("path", "s"), new("created", "b")]),
            new("DestroyDiskImage", [new("name", "s")], [new("destroyed", "b")]),
            new("ListDiskImages", outArguments: [new("images", "a(sst)")]),
        ],
    };

    internal ManagerInterface(ConciergeApi api, CallerResolver callers, ILogger log)
        : base(Metadata, api, callers, log)
    {
    }

    /// <inheritdoc />
    public override ValueTask HandleMethodAsync(MethodContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var member = context.Member;
        var reader = context.GetBodyReader();
        var name = member is "StartVm" or "StopVm" or "GetVm" or "CreateDiskImage" or "DestroyDiskImage" ? reader.ReadString() : "";
        var options = member == "StartVm" ? reader.ReadPropertyMap() : null;
        var size = member == "CreateDiskImage" ? reader.ReadUInt64() : 0;
        ApiCall.Run(context, Logger, async () =>
        {
            var caller = await Callers.ResolveAsync(context).ConfigureAwait(false);
            var body = new MessageWriter();
            switch (member)
            {
                case "StartVm":
                {
                    var view = Api.Start(caller, caller.Uid, name, StartOptions.Parse(options!), out _);
                    body.WriteObjectPath(VmObjectPaths.For(view.Key));
                    return new ApiReply("o", body);
                }
                case "StopVm":
                    await Api.StopAsync(caller, VmKey.Create(caller.Uid, name)).ConfigureAwait(false);
                    return ApiReply.Empty;
                case "StopAllVms":
                    await Api.StopAllAsync(caller).ConfigureAwait(false);
                    return ApiReply.Empty;
                case "GetVm":
                    body.WriteObjectPath(VmObjectPaths.For(Api.Get(caller, VmKey.Create(caller.Uid, name)).Key));
                    return new ApiReply("o", body);
                case "ListVms":
                    WriteVms(body, Api.List(caller, caller.IsRoot ? null : caller.Uid));
                    return new ApiReply("a(sso)", body);
                case "CreateDiskImage":
                {
                    var result = Api.CreateDisk(caller, caller.Uid, name, size);
                    body.WriteString(result.Image.Path);
                    body.WriteBoolean(result.Outcome == Storage.DiskCreateOutcome.Created);
                    return new ApiReply("sb", body);
                }
                case "DestroyDiskImage":
                    body.WriteBoolean(await Api.DestroyDiskAsync(caller, caller.Uid, name).ConfigureAwait(false));
                    return new ApiReply("b", body);
                case "ListDiskImages":
                    var images = body.WriteArrayStart('(');
                    foreach (var image in Api.ListDisks(caller, caller.Uid))
                    {
                        body.WriteStructStart();
                        body.WriteString(image.VmName);
                        body.WriteString(image.Path);
                        body.WriteUInt64(image.SizeBytes);
                    }
                    body.WriteArrayEnd(images);
                    return new ApiReply("a(sst)", body);
                default:
                    throw ApiCall.NotImplemented(InterfaceName, member);
            }
        });
        return ValueTask.CompletedTask;
    }

    private static void WriteVms(MessageWriter body, IEnumerable<VmView> vms)
    {
        var array = body.WriteArrayStart('(');
        foreach (var vm in vms)
        {
            body.WriteStructStart();
            body.WriteString(vm.Key.Name);
            body.WriteString(VmProperties.Kebab(vm.Status.State));
            body.WriteObjectPath(VmObjectPaths.For(vm.Key));
        }
        body.WriteArrayEnd(array);
    }
}

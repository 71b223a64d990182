using Concierge.Service.Api;
using Concierge.Service.DBus.Objects;
using Concierge.Service.Errors;
using Concierge.Service.Registry;
using Concierge.Service.Vms;
using Serilog;
using Tmds.DBus.Protocol;

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

    /// <summary>The contract: Api/Interfaces/org.chromium.VmConcierge.Manager.xml.</summary>
    public static InterfaceContract Declared { get; } = InterfaceContract.Embedded(InterfaceName);

    internal ManagerInterface(ConciergeApi api, ILogger log)
        : base(Declared, api, log)
    {
    }

    /// <inheritdoc />
    public override async Task HandleAsync(MethodContext context, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        var member = context.Request.MemberAsString ?? string.Empty;
        switch (member)
        {
            case "StartVm":
            {
                var (name, request) = ReadStart(context.Request);
                var view = Api.Start(caller, caller.Uid, name, request, out _);
                ReplyPath(context, view.Key);
                break;
            }
            case "StopVm":
                await Api.StopAsync(caller, VmKey.Create(caller.Uid, ReadName(context))).ConfigureAwait(false);
                break;
            case "StopAllVms":
                await Api.StopAllAsync(caller).ConfigureAwait(false);
                break;
            case "GetVm":
                ReplyPath(context, Api.Get(caller, VmKey.Create(caller.Uid, ReadName(context))).Key);
                break;
            case "ListVms":
            {
                var vms = Api.List(caller, caller.IsRoot ? null : caller.Uid);
                Reply.With(context, "a(sso)", (ref MessageWriter w) => WriteVms(ref w, vms));
                break;
            }
            case "CreateDiskImage":
            {
                var reader = context.Request.GetBodyReader();
                var name = reader.ReadString();
                var size = reader.ReadUInt64();
                var result = Api.CreateDisk(caller, caller.Uid, name, size);
                Reply.With(context, "sb", (ref MessageWriter w) =>
                {
                    w.WriteString(result.Image.Path);
                    w.WriteBool(result.Outcome == Storage.DiskCreateOutcome.Created);
                });
                break;
            }
            case "DestroyDiskImage":
            {
                var destroyed = await Api.DestroyDiskAsync(caller, caller.Uid, ReadName(context)).ConfigureAwait(false);
                Reply.With(context, "b", (ref MessageWriter w) => w.WriteBool(destroyed));
                break;
            }
            case "ListDiskImages":
            {
                var images = Api.ListDisks(caller, caller.Uid);
                Reply.With(context, "a(sst)", (ref MessageWriter w) =>
                {
                    var array = w.WriteArrayStart(DBusType.Struct);
                    foreach (var image in images)
                    {
                        w.WriteStructureStart();
                        w.WriteString(image.VmName);
                        w.WriteString(image.Path);
                        w.WriteUInt64(image.SizeBytes);
                    }
                    w.WriteArrayEnd(array);
                });
                break;
            }
            default:
                throw CallRefusedException.NotImplemented(InterfaceName, member);
        }
    }

    private static string ReadName(MethodContext context) => context.Request.GetBodyReader().ReadString();

    private static (string Name, VmStartRequest Request) ReadStart(Message request)
    {
        var reader = request.GetBodyReader();
        var name = reader.ReadString();
        return (name, StartOptions.Read(ref reader));
    }

    private static void ReplyPath(MethodContext context, VmKey key)
    {
        var path = VmObjectPaths.For(key);
        Reply.With(context, "o", (ref MessageWriter w) => w.WriteObjectPath(path));
    }

    private static void WriteVms(ref MessageWriter writer, IEnumerable<VmView> vms)
    {
        var array = writer.WriteArrayStart(DBusType.Struct);
        foreach (var vm in vms)
        {
            writer.WriteStructureStart();
            writer.WriteString(vm.Key.Name);
            writer.WriteString(VmProperties.Kebab(vm.Status.State));
            writer.WriteObjectPath(VmObjectPaths.For(vm.Key));
        }
        writer.WriteArrayEnd(array);
    }
}

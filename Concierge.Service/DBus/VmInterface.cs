using Concierge.Service.Api;
using Concierge.Service.DBus.Objects;
using Concierge.Service.Errors;
using Concierge.Service.Registry;
using Serilog;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus;

/// <summary>
/// <c>org.chromium.VmConcierge.Vm</c> on each VM's object: read-only properties (those that change
/// on every heartbeat announce no changes and are read on demand), and Stop, Kill, Suspend,
/// Resume, ReadConsole, Exec. The object exists only for its owner and root, so only they reach
/// these handlers; the API checks the caller again.
/// </summary>
public sealed class VmInterface : ApiInterface
{
    /// <summary>The interface name.</summary>
    public const string InterfaceName = Contracts.ConciergeBus.VmInterface;

    /// <summary>The contract: Api/Interfaces/org.chromium.VmConcierge.Vm.xml.</summary>
    public static InterfaceContract Declared { get; } = InterfaceContract.Embedded(InterfaceName);

    internal VmInterface(VmKey key, ConciergeApi api, ILogger log)
        : base(Declared, api, log)
    {
        Key = key;
    }

    /// <summary>The VM this object stands for.</summary>
    public VmKey Key { get; }

    /// <inheritdoc />
    public override VariantValue ReadProperty(string name) => VmProperties.Value(Api.Vms.Find(Key), name);

    /// <inheritdoc />
    public override async Task HandleAsync(MethodContext context, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        var member = context.Request.MemberAsString ?? string.Empty;
        switch (member)
        {
            case "Stop":
                await Api.StopAsync(caller, Key).ConfigureAwait(false);
                break;
            case "Kill":
                await Api.KillAsync(caller, Key).ConfigureAwait(false);
                break;
            case "Suspend":
                await Api.SuspendAsync(caller, Key).ConfigureAwait(false);
                break;
            case "Resume":
                await Api.ResumeAsync(caller, Key).ConfigureAwait(false);
                break;
            case "ReadConsole":
            {
                var maxBytes = context.Request.GetBodyReader().ReadUInt32();
                var text = Api.ReadConsole(caller, Key, (int)Math.Min(maxBytes, ConciergeApi.MaxConsoleBytes));
                Reply.With(context, "s", (ref MessageWriter w) => w.WriteString(text));
                break;
            }
            case "Exec":
            {
                var argv = context.Request.GetBodyReader().ReadArrayOfString();
                var (exitCode, stdout, stderr) = await Api.ExecAsync(caller, Key, argv, context.RequestAborted).ConfigureAwait(false);
                Reply.With(context, "iayay", (ref MessageWriter w) =>
                {
                    w.WriteInt32(exitCode);
                    w.WriteArray(stdout);
                    w.WriteArray(stderr);
                });
                break;
            }
            default:
                throw CallRefusedException.NotImplemented(InterfaceName, member);
        }
    }
}

using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.Service.Api;
using Concierge.Service.Registry;
using Serilog;

namespace Concierge.Service.DBus;

/// <summary>
/// <c>org.chromium.VmConcierge.Vm</c> on each VM's object: read-only properties that emit
/// PropertiesChanged (LastHeartbeatUsec excepted: it changes every heartbeat, so it is
/// annotated EmitsChangedSignal=false and read on demand), and Stop, Kill, Suspend, Resume,
/// ReadConsole, Exec. Only the owner and root may call the methods; to anyone else the VM does
/// not exist (NoSuchVm).
/// </summary>
public sealed class VmInterface : DBusInterface
{
    /// <summary>The interface name.</summary>
    public const string InterfaceName = Contracts.ConciergeBus.VmInterface;

    /// <summary>The interface's metadata (the contract is Api/Interfaces/org.chromium.VmConcierge.Vm.xml).</summary>
    public static InterfaceDescription Metadata { get; } = new(InterfaceName)
    {
        Methods =
        [
            new("Stop"),
            new("Kill"),
            new("Suspend"),
            new("Resume"),
            new("ReadConsole", [new("max_bytes", "u")], [new("text", "s")]),
            new("Exec", [new("argv", "as")], [new("exit_code", "i"), new("stdout", "ay"), new("stderr", "ay")]),
        ],
        Properties = VmProperties.Descriptions,
    };

    private readonly ConciergeApi _api;
    private readonly CallerResolver _callers;
    private readonly ILogger _log;

    internal VmInterface(VmKey key, ConciergeApi api, CallerResolver callers, ILogger log)
        : base(Metadata)
    {
        Key = key;
        _api = api;
        _callers = callers;
        _log = log;
    }

    /// <summary>The VM this object stands for.</summary>
    public VmKey Key { get; }

    /// <inheritdoc />
    public override Variant GetProperty(string name) =>
        _api.Vms.Find(Key) is { } view ? VmProperties.Value(view, name) : VmProperties.Value(null, name);

    /// <inheritdoc />
    public override ValueTask HandleMethodAsync(MethodContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var member = context.Member;
        var reader = context.GetBodyReader();
        var maxBytes = member == "ReadConsole" ? reader.ReadUInt32() : 0;
        var argv = member == "Exec" ? reader.ReadStringArray() : [];
        ApiCall.Run(context, _log, async () =>
        {
            var caller = await _callers.ResolveAsync(context).ConfigureAwait(false);
            switch (member)
            {
                case "Stop":
                    await _api.StopAsync(caller, Key).ConfigureAwait(false);
                    return ApiReply.Empty;
                case "Kill":
                    await _api.KillAsync(caller, Key).ConfigureAwait(false);
                    return ApiReply.Empty;
                case "Suspend":
                    await _api.SuspendAsync(caller, Key).ConfigureAwait(false);
                    return ApiReply.Empty;
                case "Resume":
                    await _api.ResumeAsync(caller, Key).ConfigureAwait(false);
                    return ApiReply.Empty;
                case "ReadConsole":
                {
                    var body = new MessageWriter();
                    body.WriteString(_api.ReadConsole(caller, Key, (int)Math.Min(maxBytes, ConciergeApi.MaxConsoleBytes)));
                    return new ApiReply("s", body);
                }
                case "Exec":
                {
                    var (exitCode, stdout, stderr) = await _api.ExecAsync(caller, Key, argv, context.RequestAborted).ConfigureAwait(false);
                    var body = new MessageWriter();
                    body.WriteInt32(exitCode);
                    body.WriteByteArray(stdout);
                    body.WriteByteArray(stderr);
                    return new ApiReply("iayay", body);
                }
                default:
                    throw ApiCall.NotImplemented(InterfaceName, member);
            }
        });
        return ValueTask.CompletedTask;
    }
}

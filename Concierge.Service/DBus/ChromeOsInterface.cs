using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Concierge.DBus;
using Concierge.Service.Api;
using Concierge.Service.Errors;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using Serilog;

namespace Concierge.Service.DBus;

/// <summary>
/// The Chrome OS-compatible face, interface <c>org.chromium.VmConcierge</c> on
/// <c>/org/chromium/VmConcierge</c>: every method takes one <c>ay</c> (a serialized request of
/// protos/concierge_service.proto) and returns one <c>ay</c> response; <c>StartVmWithFds</c> is
/// StartVm plus an <c>ah</c> whose fds StartVmRequest.fds describes, in order. StopAllVms takes
/// and returns nothing. Refusals travel in success/failure_reason; only "Shutdown in progress"
/// is a D-Bus error, as in Chrome OS.
/// </summary>
public sealed partial class ChromeOsInterface : ApiInterface
{
    /// <summary>The interface name (also the bus name, and the root object's path spelled with dots).</summary>
    public const string InterfaceName = Contracts.ConciergeBus.ChromeOsInterface;

    /// <summary>Requests larger than this are refused before parsing (real ones are a few hundred bytes).</summary>
    public const int MaxRequestBytes = 1 << 20;

    private static readonly ArgumentDescription Request = new("request", "ay");
    private static readonly ArgumentDescription Response = new("response", "ay");

    private static readonly string[] ProtoMethods =
    [
        "StartVm", "StopVm", "GetVmInfo", "ListVms", "SuspendVm", "ResumeVm",
        "CreateDiskImage", "DestroyDiskImage", "ListVmDisks", "GetVmLogs",
    ];

    /// <summary>The interface's metadata (the contract is Api/Interfaces/org.chromium.VmConcierge.xml).</summary>
    public static InterfaceDescription Metadata { get; } = new(InterfaceName)
    {
        Methods =
        [
            .. ProtoMethods.Select(name => new MethodDescription(name, [Request], [Response])),
            new MethodDescription("StartVmWithFds", [Request, new("fds", "ah")], [Response]),
            new MethodDescription("StopAllVms"),
        ],
        Signals =
        [
            .. new[] { "VmStartingUpSignal", "VmStartedSignal", "VmStoppingSignal", "VmStoppedSignal" }
                .Select(name => new SignalDescription(name, [new("signal", "ay")])),
        ],
    };

    internal ChromeOsInterface(ConciergeApi api, CallerResolver callers, ILogger log)
        : base(Metadata, api, callers, log)
    {
    }

    /// <inheritdoc />
    public override ValueTask HandleMethodAsync(MethodContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var member = context.Member;
        var reader = context.GetBodyReader();
        byte[] request = member == "StopAllVms" ? [] : reader.ReadByteArray();
        var fds = member == "StartVmWithFds" ? TakePassedFds(context, reader) : [];
        ApiCall.Run(context, Logger, async () =>
        {
            try
            {
                var caller = await Callers.ResolveAsync(context).ConfigureAwait(false);
                if (member == "StopAllVms")
                {
                    await Api.StopAllAsync(caller).ConfigureAwait(false);
                    return ApiReply.Empty;
                }
                var response = await AnswerAsync(caller, member, request, fds).ConfigureAwait(false);
                var body = new MessageWriter();
                body.WriteByteArray(response.ToByteArray());
                return new ApiReply("ay", body);
            }
            finally
            {
                // StartVm took what it keeps; anything else a caller sent is closed here.
                fds.ForEach(fd => fd.Dispose());
            }
        });
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// The fds the call's <c>ah</c> names, taken from the message. An index named twice is
    /// InvalidArgs (one fd cannot be two images); whatever was taken before a refusal is closed.
    /// </summary>
    private static List<SafeFileHandle> TakePassedFds(MethodContext context, MessageReader reader)
    {
        var fds = new List<SafeFileHandle>();
        try
        {
            var taken = new HashSet<uint>();
            var end = reader.ReadArrayStart('h');
            while (reader.HasNext(end))
            {
                var index = reader.ReadUnixFdIndex().Index;
                if (!taken.Add(index))
                {
                    throw new DBusException(DBusErrorNames.InvalidArgs, $"fd index {index} appears more than once in fds");
                }
                fds.Add(context.TakeUnixFd((int)index));
            }
            return fds;
        }
        catch
        {
            fds.ForEach(fd => fd.Dispose());
            throw;
        }
    }

    /// <summary>
    /// One protobuf method from parsed bytes to its response, refusals in-band: everything of the
    /// call after the bus (the fuzz target drives exactly this). <paramref name="fds"/> are the
    /// caller's; StartVm takes what it keeps out of the list.
    /// </summary>
    internal async Task<IMessage> AnswerAsync(Caller caller, string member, byte[] request, List<SafeFileHandle> fds)
    {
        try
        {
            if (request.Length > MaxRequestBytes)
            {
                throw new InvalidRequestException("request", $"the request has {request.Length} bytes, at most {MaxRequestBytes} are accepted");
            }
            return await HandleAsync(caller, member, request, fds).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsInBand(e))
        {
            if (ApiErrors.IsUnexpected(e))
            {
                Logger.Error(e, "{Member} from uid {Uid} failed", member, caller.Uid);
            }
            return Failure(member, e);
        }
    }
}

using Concierge.Contracts;
using Concierge.Service.Api;
using Concierge.Service.DBus.Objects;
using Concierge.Service.Errors;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using Serilog;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus;

/// <summary>
/// The Chrome OS-compatible face, interface <c>org.chromium.VmConcierge</c> on
/// <c>/org/chromium/VmConcierge</c>: every method takes one <c>ay</c> (a serialized request of
/// protos/concierge_service.proto) and returns one <c>ay</c> response; <c>StartVmWithFds</c> is
/// StartVm plus an <c>ah</c> whose fds StartVmRequest.fds describes, in order. StopAllVms takes
/// and returns nothing. Refusals travel in success/failure_reason; only "Shutdown in progress"
/// and malformed D-Bus arguments (an fd index the message does not carry) are D-Bus errors, as in Chrome OS.
/// </summary>
public sealed partial class ChromeOsInterface : ApiInterface
{
    /// <summary>The interface name (also the bus name, and the root object's path spelled with dots).</summary>
    public const string InterfaceName = Contracts.ConciergeBus.ChromeOsInterface;

    /// <summary>Requests larger than this are refused before parsing (real ones are a few hundred bytes).</summary>
    public const int MaxRequestBytes = 1 << 20;

    /// <summary>The contract: Api/Interfaces/org.chromium.VmConcierge.xml.</summary>
    public static InterfaceContract Declared { get; } = InterfaceContract.Embedded(InterfaceName);

    internal ChromeOsInterface(ConciergeApi api, ILogger log)
        : base(Declared, api, log)
    {
    }

    /// <inheritdoc />
    public override async Task HandleAsync(MethodContext context, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(context);
        var member = context.Request.MemberAsString ?? string.Empty;
        if (member == "StopAllVms")
        {
            await Api.StopAllAsync(caller).ConfigureAwait(false);
            return;
        }
        // The body starts with the ay's length: an oversized request is refused before it is
        // copied (a 32 MiB body would otherwise become a 32 MiB array for nothing).
        var peek = context.Request.GetBodyReader();
        if (TooLarge(peek.ReadUInt32()) is { } tooLarge)
        {
            var refusal = Failure(member, tooLarge).ToByteArray();
            Reply.With(context, "ay", (ref MessageWriter w) => w.WriteArray(refusal));
            return;
        }
        var (request, fds) = ReadRequest(context.Request, member == "StartVmWithFds");
        try
        {
            var response = (await AnswerAsync(caller, member, request, fds).ConfigureAwait(false)).ToByteArray();
            Reply.With(context, "ay", (ref MessageWriter w) => w.WriteArray(response));
        }
        finally
        {
            // StartVm took what it keeps; anything else a caller sent is closed here.
            fds.ForEach(fd => fd.Dispose());
        }
    }

    /// <summary>
    /// The request bytes, and the fds the call's <c>ah</c> names, taken from the message. An index
    /// the message does not carry, or one named twice (one fd cannot be two images), is
    /// InvalidArgs; whatever was taken before a refusal is closed.
    /// </summary>
    private static (byte[] Request, List<SafeFileHandle> Fds) ReadRequest(Message message, bool withFds)
    {
        var reader = message.GetBodyReader();
        var request = reader.ReadArrayOfByte();
        var fds = new List<SafeFileHandle>();
        if (!withFds)
        {
            return (request, fds);
        }
        try
        {
            var end = reader.ReadArrayStart(DBusType.UnixFd);
            while (reader.HasNext(end))
            {
                fds.Add(reader.ReadHandle<SafeFileHandle>());
            }
            return (request, fds);
        }
        catch (Exception e) when (e is DBusReadException or DBusUnexpectedValueException)
        {
            fds.ForEach(fd => fd.Dispose());
            throw new CallRefusedException(DBusErrorNames.InvalidArgs, $"fds: {e.Message} (the message carries {message.UnixFdCount})");
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
            if (TooLarge((uint)request.Length) is { } tooLarge)
            {
                throw tooLarge;
            }
            return await RunAsync(caller, member, request, fds).ConfigureAwait(false);
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

    private static InvalidRequestException? TooLarge(uint length) =>
        length > MaxRequestBytes ? new InvalidRequestException("request", $"the request has {length} bytes, at most {MaxRequestBytes} are accepted") : null;
}

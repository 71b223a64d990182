using Concierge.Contracts;
using Concierge.Service.Api;
using Concierge.Service.Errors;
using Google.Protobuf;
using Tmds.DBus.Protocol;

namespace Concierge.Service.DBus;

/// <summary>
/// The one place where exceptions become D-Bus errors. The typed face replies with the error
/// name; the Chrome OS face puts the same message into failure_reason (only "Shutdown in
/// progress" stays a D-Bus error there, as in Chrome OS).
/// </summary>
public static class ApiErrors
{
    /// <summary>The caller has no VM by that name (or it is another user's).</summary>
    public const string NoSuchVm = Contracts.ConciergeBus.NoSuchVmError;

    /// <summary>The VM is not in a state for the request.</summary>
    public const string InvalidState = Contracts.ConciergeBus.InvalidStateError;

    /// <summary>The D-Bus error name and message for <paramref name="exception"/>.</summary>
    public static (string Name, string Message) Map(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            CallRefusedException e => (e.ErrorName, e.Message),
            // The body does not hold what its signature promised (an fd index the message lacks).
            DBusReadException or DBusUnexpectedValueException => (DBusErrorNames.InvalidArgs, $"malformed arguments: {exception.Message}"),
            InvalidRequestException e => (DBusErrorNames.InvalidArgs, e.Message),
            InvalidProtocolBufferException e => (DBusErrorNames.InvalidArgs, $"malformed request: {e.Message}"),
            VmNotFoundException e => (NoSuchVm, e.Message),
            InvalidVmStateException e => (InvalidState, e.Message),
            CallerAccessDeniedException e => (DBusErrorNames.AccessDenied, e.Message),
            ServiceShuttingDownException e => (DBusErrorNames.Failed, e.Message),
            DiskSpaceException e => (DBusErrorNames.Failed, e.Message),
            Supervision.GuestCommandException e => (DBusErrorNames.Failed, e.Message),
            VmOperationException e => (DBusErrorNames.Failed, e.Message),
            IOException or UnauthorizedAccessException => (DBusErrorNames.Failed, exception.Message),
            _ => (DBusErrorNames.Failed, $"internal error ({exception.GetType().Name}): {exception.Message}"),
        };
    }

    /// <summary>
    /// The failure_reason of the Chrome OS face, which has no error names: the kinds a client must
    /// tell apart (refused access, a malformed argument, a VM in the wrong state) start with words saying so.
    /// </summary>
    public static string InBandReason(Exception exception)
    {
        var (name, message) = Map(exception);
        return name switch
        {
            DBusErrorNames.AccessDenied => $"access denied: {message}",
            DBusErrorNames.InvalidArgs => $"invalid argument: {message}",
            InvalidState => $"invalid state: {message}",
            _ => message,
        };
    }

    /// <summary>True for exceptions that mean a bug or a host fault rather than a refused request (logged as errors).</summary>
    public static bool IsUnexpected(Exception exception) => Map(exception).Message.StartsWith("internal error", StringComparison.Ordinal);

    /// <summary>
    /// True when the Chrome OS face answers <paramref name="exception"/> in-band (success = false):
    /// all but a shutdown and a method without a handler, which stay D-Bus errors.
    /// </summary>
    public static bool IsInBand(Exception exception) =>
        exception is not (ServiceShuttingDownException or CallRefusedException { ErrorName: DBusErrorNames.UnknownMethod });
}

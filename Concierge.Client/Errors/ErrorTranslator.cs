using Concierge.Contracts;
using Tmds.DBus.Protocol;

namespace Concierge.Client;

/// <summary>
/// The one place where D-Bus errors become the client's typed exceptions, each with a message that
/// says what to do next (the service's own words first, then the advice).
/// </summary>
internal static class ErrorTranslator
{
    public const string StartServiceAdvice = "start it with 'systemctl start concierge' (or point --address/DBUS_SYSTEM_BUS_ADDRESS at the bus it runs on)";

    private const string AccessAdvice = "run as root, or ask an administrator to add you to group concierge ('usermod -aG concierge USER', then log in again)";

    public const string StateAdvice = "'vmc list' shows the state of each of your VMs";

    /// <summary>
    /// The typed exception for a failed call to <paramref name="operation"/>: an error reply, the
    /// connection closing under it, no reply within the client's timeout, or a reply it cannot read.
    /// </summary>
    public static ConciergeException Translate(Exception error, string operation)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error switch
        {
            DBusConnectionClosedException => new ServiceUnavailableException(
                $"{operation}: the connection to the bus was lost ({error.Message}); check that dbus and the service still run", error),
            TimeoutException => TimedOut(operation, error),
            DBusErrorReplyException reply => reply.ErrorName switch
            {
                DBusErrorNames.ServiceUnknown or DBusErrorNames.NameHasNoOwner => new ServiceUnavailableException(
                    $"{operation}: the Concierge service is not running on this bus; {StartServiceAdvice}", error),
                DBusErrorNames.AccessDenied => new ConciergeAccessDeniedException(
                    $"{operation}: access denied ({reply.ErrorMessage}); {AccessAdvice}", error),
                ConciergeBus.NoSuchVmError => new VmNotFoundException(
                    $"{operation}: {reply.ErrorMessage}; 'vmc list' shows your VMs", error),
                DBusErrorNames.InvalidArgs => new InvalidRequestException($"{operation}: {reply.ErrorMessage}", error),
                ConciergeBus.InvalidStateError => new InvalidVmStateException($"{operation}: {reply.ErrorMessage}; {StateAdvice}", error),
                DBusErrorNames.NoReply or DBusErrorNames.Timeout => TimedOut(operation, error),
                DBusErrorNames.UnknownMethod or DBusErrorNames.UnknownInterface => new ConciergeException(
                    $"{operation}: the running service does not offer this ({reply.ErrorMessage}); is it an older version?", error),
                DBusErrorNames.NotSupported => new ConciergeException($"{operation}: not supported by this service: {reply.ErrorMessage}", error),
                _ => new ConciergeException($"{operation}: {reply.ErrorMessage}", error),
            },
            _ => new ConciergeException($"{operation}: {error.Message}", error),
        };
    }

    /// <summary>The exception for a bus that cannot be reached at all.</summary>
    public static ServiceUnavailableException Unreachable(string address, Exception error) => new(
        $"cannot reach the D-Bus bus at {address} ({error.Message}); is dbus running? For another bus use --address or DBUS_SYSTEM_BUS_ADDRESS",
        error);

    private static ConciergeTimeoutException TimedOut(string operation, Exception error) => new(
        $"{operation}: the service did not answer in time; see 'journalctl -u concierge'", error);
}

using Concierge.DBus;
using Concierge.DBus.Protocol;
using Concierge.DBus.Server;
using Serilog;

namespace Concierge.Service.DBus;

/// <summary>A reply to send: a body of a signature (empty signature and null body: an empty return).</summary>
/// <param name="Signature">The body's signature.</param>
/// <param name="Body">The body.</param>
internal sealed record ApiReply(string Signature, MessageWriter? Body)
{
    public static ApiReply Empty { get; } = new(string.Empty, null);
}

/// <summary>
/// Runs one API method off the D-Bus dispatch loop: the reply is deferred, the work runs on the
/// thread pool (a StopVm may take a minute, and the loop must keep answering others, including
/// the watchdog's own ping), and whatever it throws becomes an error reply through
/// <see cref="ApiErrors"/>. Arguments must be read before, since a body reader cannot cross awaits.
/// </summary>
internal static class ApiCall
{
    public static void Run(MethodContext context, ILogger log, Func<Task<ApiReply>> work)
    {
        context.DeferReply();
        _ = Task.Run(async () =>
        {
            ApiReply reply;
            try
            {
                reply = await work().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var (name, message) = ApiErrors.Map(e);
                if (ApiErrors.IsUnexpected(e))
                {
                    log.Error(e, "{Interface}.{Member} from {Sender} failed", context.Interface, context.Member, context.Sender);
                }
                TrySend(context, log, c => c.ReplyError(name, message));
                return;
            }
            TrySend(context, log, c => c.Reply(reply.Signature, reply.Body));
        });
    }

    /// <summary>
    /// The answer to a member that is declared but has no handler in the interface's switch: the
    /// caller gets UnknownMethod, never some other method's work.
    /// </summary>
    public static DBusException NotImplemented(string interfaceName, string? member) =>
        new(DBusErrorNames.UnknownMethod, $"{interfaceName}.{member} is not implemented");

    private static void TrySend(MethodContext context, ILogger log, Action<MethodContext> send)
    {
        try
        {
            send(context);
        }
        catch (Exception e)
        {
            // The caller left or the connection closed: nobody is waiting for this reply.
            log.Debug(e, "Reply to {Member} from {Sender} not sent", context.Member, context.Sender);
        }
        finally
        {
            context.Request.Dispose();
        }
    }
}

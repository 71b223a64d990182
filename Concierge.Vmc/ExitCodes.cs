using Concierge.Client;

namespace Concierge.Vmc;

/// <summary>What vmc's exit status means; the same table is in <c>vmc --help</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The service refused or the operation failed (e.g. the VM failed to start).</summary>
    public const int Failed = 1;

    /// <summary>Bad command line, or an argument the service refused (a malformed name, size, path or address).</summary>
    public const int Usage = 2;

    /// <summary>The bus cannot be reached or the service is not running.</summary>
    public const int ServiceUnavailable = 3;

    /// <summary>The bus or the service denied access.</summary>
    public const int AccessDenied = 4;

    /// <summary>No such VM or disk.</summary>
    public const int NotFound = 5;

    /// <summary>The service or the VM did not answer in time.</summary>
    public const int Timeout = 6;

    /// <summary>A destructive command was not confirmed.</summary>
    public const int NotConfirmed = 7;

    /// <summary>
    /// exec only: the VM could not run the command (not running, no guest link, no such program), like
    /// docker's 125; the command's own exit status is relayed otherwise. Failures before that (no
    /// service, access denied, no such VM) keep their own codes.
    /// </summary>
    public const int ExecFailed = 125;

    /// <summary>Interrupted (Ctrl-C), like a shell.</summary>
    public const int Interrupted = 130;

    public const string HelpText = """
        Exit status:
          0    success
          1    the operation failed (the service refused it, or the VM failed)
          2    bad command line (also a name, size, path or address the service refused)
          3    the bus cannot be reached or the Concierge service is not running
          4    access denied (be root or in group concierge; your own VMs only)
          5    no such VM or disk
          6    timed out
          7    not confirmed (destroy without -y when not on a terminal)
          125  exec: the VM could not run the command (otherwise exec exits with the command's status)
          130  interrupted
        """;

    /// <summary>The exit status for an exception that ended a command.</summary>
    public static int For(Exception error) => error switch
    {
        ServiceUnavailableException => ServiceUnavailable,
        ConciergeAccessDeniedException => AccessDenied,
        VmNotFoundException => NotFound,
        ConciergeTimeoutException => Timeout,
        InvalidRequestException => Usage,
        OperationCanceledException => Interrupted,
        _ => Failed,
    };
}

using System.Globalization;
using Concierge.Guest.Boot;
using Concierge.Guest.Config;
using Concierge.Guest.Container;
using Concierge.Guest.Native;
using Concierge.Guest.Supervision;

namespace Concierge.Guest;

/// <summary>
/// The binary's entry points. With no subcommand and PID 1 it is the VM's init; the
/// subcommands are the init's own helpers (the container launcher's stages) plus
/// "supervise", the init without its PID 1 duties, for tests and development.
/// </summary>
internal static class Commands
{
    private const string Usage = """
        usage: concierge-init                      (as PID 1: the VM's init)
               concierge-init supervise --config FILE [--host-link vsock:CID:PORT|unix:PATH] [--heartbeat-ms N] [--run-dir DIR]
               concierge-init container-run --spec FILE [--pid-file FILE] -- PROGRAM [ARGS...]
               concierge-init container-exec --spec FILE --target PID [--env NAME=VALUE]... -- PROGRAM [ARGS...]
        """;

    public static int Run(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "";
        Log.Prepare();
        try
        {
            var rest = new Lazy<CommandArguments>(() => new CommandArguments(args[1..]));
            switch (command)
            {
                case "supervise":
                    return Supervise(rest.Value);
                case "container-run":
                    return ContainerLauncher.Run(rest.Value.Required("spec"), rest.Value.Optional("pid-file"), rest.Value.RequiredProgram());
                case "container-exec":
                    return ContainerLauncher.Exec(rest.Value.Required("spec"), rest.Value.RequiredInt("target"), rest.Value.All("env"), rest.Value.RequiredProgram());
                case "__container-init":
                    ContainerInit.Run(ContainerLauncher.LoadSpec(rest.Value.Required("spec")), rest.Value.RequiredInt("ready-fd"), rest.Value.RequiredProgram());
                    return ContainerLauncher.SetupFailedExitCode;
                case "__container-join":
                    ContainerJoin.Run(ContainerLauncher.LoadSpec(rest.Value.Required("spec")), rest.Value.RequiredInt("target"), rest.Value.All("env"), rest.Value.RequiredProgram());
                    return ContainerLauncher.SetupFailedExitCode;
                default:
                    if (Environment.ProcessId == 1)
                    {
                        // The kernel passes unrecognised command-line words to init as arguments.
                        return InitProcess.Run();
                    }
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (Exception e) when (e is ConfigException or NativeCallException or IOException or UnauthorizedAccessException)
        {
            Log.Error($"{command}: {e.Message}");
            return ContainerLauncher.SetupFailedExitCode;
        }
    }

    private static int Supervise(CommandArguments arguments)
    {
        var config = InitConfig.Load(arguments.Required("config"));
        // Orphans of our services become our children, so we can reap them like PID 1 does.
        NativeCallException.ThrowIfFailed(Libc.Prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "become a child subreaper");
        var heartbeat = arguments.Optional("heartbeat-ms") is { } ms
            ? TimeSpan.FromMilliseconds(int.Parse(ms, NumberStyles.None, CultureInfo.InvariantCulture))
            : TimeSpan.FromSeconds(1);
        var runtime = new InitRuntime(config, new RuntimeOptions
        {
            IsPid1 = false,
            RunDirectory = arguments.Optional("run-dir") ?? Path.Combine(Path.GetTempPath(), $"concierge-init-{Environment.ProcessId}"),
            HostLink = arguments.Optional("host-link"),
            HeartbeatInterval = heartbeat,
        });
        var reason = runtime.RunAsync().GetAwaiter().GetResult();
        Log.Info($"stopped: {reason}");
        return 0;
    }
}

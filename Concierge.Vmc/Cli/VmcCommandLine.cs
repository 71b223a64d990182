using System.CommandLine;
using System.CommandLine.Parsing;
using Concierge.Client;
using Concierge.Vmc.Commands;

namespace Concierge.Vmc.Cli;

/// <summary>
/// vmc's grammar (System.CommandLine): global --address and --json, one subcommand per verb.
/// Each action reads its arguments here and hands typed values to a class in Commands/.
/// </summary>
internal sealed class VmcCommandLine
{
    private readonly Option<string?> _address = new("--address")
    {
        Description = "D-Bus address of the bus the service is on (default: $DBUS_SYSTEM_BUS_ADDRESS, else the system bus)",
        Recursive = true,
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "print results as JSON (watch: one JSON object per line)",
        Recursive = true,
    };

    private readonly Option<string?> _kernel = new("--kernel") { Description = "guest kernel (bzImage); default: the built-in guest" };
    private readonly Option<string?> _initrd = new("--initrd") { Description = "initramfs; default: the built-in guest's" };
    private readonly Option<string?> _rootfs = new("--rootfs") { Description = "root filesystem image" };
    private readonly Option<string[]> _disk = new("--disk")
    {
        Description = "extra disk image, writable; PATH:ro for read-only (repeatable: /dev/vdb, /dev/vdc, ... in order)",
    };
    private readonly Option<uint> _cpus = new("--cpus")
    {
        Description = "virtual CPUs (default: the service's)",
        CustomParser = result => ParseOrReport<uint>(result, TryParseCount, "--cpus expects a whole number of virtual CPUs", ZeroRefused("--cpus")),
    };

    private readonly Option<ulong> _mem = new("--mem")
    {
        Description = "guest RAM: MiB, or with a suffix (512M, 2G)",
        HelpName = "size",
        CustomParser = result => ParseOrReport<ulong>(result, SizeParser.TryParseMebibytes,
            "--mem expects a number of MiB or a size like 512M or 2G in whole MiB", ZeroRefused("--mem")),
    };

    private readonly Option<string[]> _cmdline = new("--cmdline") { Description = "extra kernel command-line parameters (repeatable; split at spaces)" };
    private readonly Option<uint> _timeout = new("--timeout")
    {
        Description = "seconds the guest has to come up (default: the service's, 60)",
        HelpName = "seconds",
        CustomParser = result => ParseOrReport<uint>(result, TryParseCount, "--timeout expects a whole number of seconds", ZeroRefused("--timeout")),
    };
    private readonly Option<string?> _restart = new("--restart") { Description = "restart policy" };
    private readonly Option<bool> _follow = new("--follow", "-f") { Description = "keep printing new output until the VM stops (Ctrl-C ends)" };
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "do not ask for confirmation" };

    public VmcCommandLine(VmcConsole console, TimeProvider clock)
    {
        Console = console;
        Clock = clock;
        _restart.AcceptOnlyFromAmong(RestartPolicyNames.All);
        Root = new RootCommand(Description)
        {
            _address,
            _json,
            Start(),
            WithName("stop", "ask a VM's guest to shut down, then stop it", (s, name, ct) => StopCommand.RunAsync(s, name, ct)),
            WithName("kill", "stop a VM at once, without asking its guest", (s, name, ct) => KillCommand.RunAsync(s, name, ct)),
            Simple("list", "list your VMs (name, state, health, cid, vCPUs, memory, uptime)", ListCommand.RunAsync),
            WithName("info", "show everything about one VM", (s, name, ct) => InfoCommand.RunAsync(s, name, ct)),
            Logs(),
            Exec(),
            Create(),
            Destroy(),
            Simple("disks", "list your disk images", DisksCommand.RunAsync),
            Simple("watch", "print lifecycle and health events as they happen (Ctrl-C ends)", WatchCommand.RunAsync),
        };
    }

    public static string Description => "vmc: start, watch and stop Concierge VMs.\n\n" + ExitCodes.HelpText;

    public RootCommand Root { get; }

    private VmcConsole Console { get; }

    private TimeProvider Clock { get; }

    public ParseResult Parse(IReadOnlyList<string> args) =>
        Root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });

    private VmcSession Session(ParseResult parse) => new(Console, parse.GetValue(_address), parse.GetValue(_json), Clock);

    private Command Start()
    {
        var name = NameArgument();
        var command = new Command("start", "start a VM (the built-in guest unless --kernel/--initrd say otherwise) and wait until it runs")
        {
            name, _kernel, _initrd, _rootfs, _disk, _cpus, _mem, _cmdline, _timeout, _restart,
        };
        command.SetAction((parse, ct) =>
        {
            var timeout = parse.GetValue(_timeout);
            var options = new VmStartOptions
            {
                KernelPath = FullPath(parse.GetValue(_kernel)),
                InitrdPath = FullPath(parse.GetValue(_initrd)),
                RootfsPath = FullPath(parse.GetValue(_rootfs)),
                Disks = [.. (parse.GetValue(_disk) ?? []).Select(DiskOption)],
                Vcpus = parse.GetValue(_cpus),
                MemoryMiB = parse.GetValue(_mem),
                KernelParams = [.. (parse.GetValue(_cmdline) ?? []).SelectMany(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries))],
                StartupTimeoutSeconds = timeout,
                RestartPolicy = RestartPolicyNames.Parse(parse.GetValue(_restart)),
            };
            var wait = (timeout > 0 ? TimeSpan.FromSeconds(timeout) : StartArguments.ServiceDefaultTimeout) + StartArguments.Grace;
            return StartCommand.RunAsync(Session(parse), new StartArguments(parse.GetValue(name)!, options, wait), ct);
        });
        return command;
    }

    private Command Logs()
    {
        var name = NameArgument();
        var command = new Command("logs", "print a VM's console log") { name, _follow };
        command.SetAction((parse, ct) => LogsCommand.RunAsync(Session(parse), parse.GetValue(name)!, parse.GetValue(_follow), ct));
        return command;
    }

    private Command Exec()
    {
        var name = NameArgument();
        var argv = new Argument<string[]>("command") { Description = "the command and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("exec", "run a command in a VM's container; vmc exits with its status (usage: vmc exec NAME -- CMD ARGS...)") { name, argv };
        command.SetAction((parse, ct) => ExecCommand.RunAsync(Session(parse), parse.GetValue(name)!, parse.GetValue(argv)!, ct));
        return command;
    }

    private Command Create()
    {
        var name = NameArgument();
        var size = new Argument<ulong>("size")
        {
            Description = $"disk size in bytes or with a suffix ({SizeParser.Example})",
            CustomParser = result => ParseOrReport<ulong>(result, SizeParser.TryParseBytes,
                $"the disk size is bytes or a number with a suffix ({SizeParser.Example})", $"the disk size must be more than 0 ({SizeParser.Example})"),
        };
        var command = new Command("create", "create the disk image of a VM") { name, size };
        command.SetAction((parse, ct) => CreateCommand.RunAsync(Session(parse), parse.GetValue(name)!, parse.GetValue(size), ct));
        return command;
    }

    private Command Destroy()
    {
        var name = NameArgument();
        var command = new Command("destroy", "delete a VM's disk image (asks first; without a terminal, -y is required)") { name, _yes };
        command.SetAction((parse, ct) => DestroyCommand.RunAsync(Session(parse), parse.GetValue(name)!, parse.GetValue(_yes), ct));
        return command;
    }

    private Command WithName(string verb, string description, Func<VmcSession, string, CancellationToken, Task<int>> run)
    {
        var name = NameArgument();
        var command = new Command(verb, description) { name };
        command.SetAction((parse, ct) => run(Session(parse), parse.GetValue(name)!, ct));
        return command;
    }

    private Command Simple(string verb, string description, Func<VmcSession, CancellationToken, Task<int>> run)
    {
        var command = new Command(verb, description);
        command.SetAction((parse, ct) => run(Session(parse), ct));
        return command;
    }

    private static Argument<string> NameArgument() => new("name") { Description = "the VM's name" };

    /// <summary>Paths are resolved here, against vmc's working directory: the service has its own.</summary>
    private static string? FullPath(string? path) => path is { Length: > 0 } ? Path.GetFullPath(path) : null;

    /// <summary>A <c>--disk</c> value: PATH (writable) or PATH:ro (read-only), the path resolved here.</summary>
    internal static VmDisk DiskOption(string value) =>
        value.EndsWith(":ro", StringComparison.Ordinal) ? new VmDisk(FullPath(value[..^3])!, Writable: false) : new VmDisk(FullPath(value)!, Writable: true);

    private static string ZeroRefused(string option) => $"{option} must be more than 0; leave it out for the service's default";

    private delegate bool TryParse<T>(string? text, out T value);

    /// <summary>A count as typed: digits only, within 32 bits.</summary>
    private static bool TryParseCount(string? text, out uint value) =>
        uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value);

    /// <summary>
    /// One parser for every number vmc takes, so each says in its own words what it expects. 0 on
    /// the wire means "the service's default": a 0 typed by hand is refused, not silently replaced.
    /// </summary>
    private static T ParseOrReport<T>(ArgumentResult result, TryParse<T> parse, string expected, string zeroRefused)
        where T : System.Numerics.INumberBase<T>
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
        if (!parse(text, out var value))
        {
            result.AddError($"{expected}; got '{text}'");
        }
        else if (T.IsZero(value))
        {
            result.AddError(zeroRefused);
        }
        return value;
    }
}

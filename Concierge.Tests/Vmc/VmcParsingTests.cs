using Concierge.Client;
using Concierge.Vmc;
using Concierge.Vmc.Cli;
using NUnit.Framework;

namespace Concierge.Tests.Vmc;

[TestFixture]
[Category("Unit")]
public sealed class VmcParsingTests
{
    private static readonly string[] ExecArgv = ["ls", "-l", "--json", "/"];
    private static readonly string[] Disks = ["a.img", "b.img"];

    [TestCase("1000000000", 1000000000UL)]
    [TestCase("256M", 256UL << 20)]
    [TestCase("1G", 1UL << 30)]
    [TestCase("2GiB", 2UL << 30)]
    [TestCase("512k", 512UL << 10)]
    [TestCase("1T", 1UL << 40)]
    public void Sizes_parse_with_binary_suffixes(string text, ulong expected)
    {
        Assert.That(SizeParser.TryParseBytes(text, out var bytes), Is.True);
        Assert.That(bytes, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("M")]
    [TestCase("12Q")]
    [TestCase("-1")]
    [TestCase("1.5G")]
    [TestCase("99999999999999999999")]
    [TestCase("20000000T")]
    public void Bad_sizes_are_refused(string text) => Assert.That(SizeParser.TryParseBytes(text, out _), Is.False);

    [TestCase("512", 512UL)]
    [TestCase("2G", 2048UL)]
    [TestCase("256M", 256UL)]
    public void Memory_is_in_MiB(string text, ulong expected)
    {
        Assert.That(SizeParser.TryParseMebibytes(text, out var mib), Is.True);
        Assert.That(mib, Is.EqualTo(expected));
    }

    [Test]
    public void Memory_must_be_whole_MiB() => Assert.That(SizeParser.TryParseMebibytes("1000K", out _), Is.False);

    [TestCase("frobnicate")]
    [TestCase("start")]
    [TestCase("create", "vm", "12Q")]
    [TestCase("start", "vm", "--restart", "sometimes")]
    [TestCase("start", "vm", "--mem", "lots")]
    [TestCase("start", "vm", "--cpus", "-2")]
    [TestCase("exec", "vm")]
    [TestCase("stop", "a", "b")]
    public async Task Bad_command_lines_exit_2_with_a_hint(params string[] args)
    {
        var run = await VmcRun.RunAsync(args);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage), run.Output);
        Assert.That(run.Error, Does.EndWith($"Try 'vmc {(args[0] == "frobnicate" ? "" : args[0] + " ")}--help'.\n"));
    }

    [TestCase("--mem must be more than 0", "start", "vm", "--mem", "0M")]
    [TestCase("--cpus must be more than 0", "start", "vm", "--cpus", "0")]
    [TestCase("--timeout must be more than 0", "start", "vm", "--timeout", "0")]
    [TestCase("the disk size must be more than 0", "create", "vm", "0")]
    public async Task A_zero_is_refused_rather_than_meaning_the_default(string said, params string[] args)
    {
        var run = await VmcRun.RunAsync(args);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage), run.Output);
        Assert.That(run.Error, Does.Contain(said));
    }

    [TestCase("the disk size is bytes or a number with a suffix", "'1.5G'", "create", "vm", "1.5G")]
    [TestCase("--mem expects a number of MiB", "'1000K'", "start", "vm", "--mem", "1000K")]
    [TestCase("--cpus expects a whole number of virtual CPUs", "'abc'", "start", "vm", "--cpus", "abc")]
    [TestCase("--cpus expects a whole number of virtual CPUs", "'99999999999'", "start", "vm", "--cpus", "99999999999")]
    [TestCase("--timeout expects a whole number of seconds", "'-1'", "start", "vm", "--timeout", "-1")]
    public async Task A_malformed_number_says_what_it_expects_not_a_type_or_zero(string said, string quoted, params string[] args)
    {
        var run = await VmcRun.RunAsync(args);
        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage), run.Output);
        Assert.That(run.Error, Does.Contain(said).And.Contain(quoted).And.Not.Contain("more than 0").And.Not.Contain("System."));
    }

    // Each case: what the one error line must say; the parser's own words would name only the command, or say it twice.
    [TestCase("vmc: no command given; the commands are start, stop, kill, list, info, logs, exec, create, destroy, disks, watch")]
    [TestCase("vmc: 'vmc start' needs NAME", "start")]
    [TestCase("vmc: 'vmc exec' needs NAME and COMMAND", "exec")]
    [TestCase("vmc: 'vmc exec' needs COMMAND", "exec", "vm")]
    [TestCase("vmc: 'vmc create' needs SIZE", "create", "vm")]
    public async Task A_bad_command_line_is_one_error_that_names_what_is_missing(string said, params string[] args)
    {
        var run = await VmcRun.RunAsync(args);
        var lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage), run.Output);
        Assert.That(lines, Is.EqualTo(new[] { said, $"Try 'vmc {(args.Length > 0 ? args[0] + " " : "")}--help'." }), run.Error);
    }

    [Test]
    public async Task An_unknown_command_is_one_error_that_lists_the_commands()
    {
        var run = await VmcRun.RunAsync("frobnicate");
        var errors = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("vmc: ", StringComparison.Ordinal)).ToList();

        Assert.That(errors, Has.Count.EqualTo(1), run.Error);
        Assert.That(errors[0], Is.EqualTo("vmc: 'frobnicate' is not a vmc command or option; the commands are start, stop, kill, list, info, logs, exec, create, destroy, disks, watch"));
    }

    [Test]
    public void Exec_takes_everything_after_the_double_dash_as_the_command()
    {
        var parse = new VmcCommandLine(VmcConsole.System, TimeProvider.System).Parse(["exec", "vm", "--", "ls", "-l", "--json", "/"]);
        Assert.That(parse.Errors, Is.Empty);
        var command = parse.CommandResult.Command.Arguments.Single(a => a.Name == "command");
        Assert.That(parse.GetValue<string[]>(command.Name), Is.EqualTo(ExecArgv));
    }

    [Test]
    public void Start_options_parse()
    {
        var parse = new VmcCommandLine(VmcConsole.System, TimeProvider.System).Parse(
            ["start", "vm", "--cpus", "2", "--mem", "1G", "--cmdline", "quiet loglevel=3", "--disk", "a.img", "--disk", "b.img", "--restart", "on-failure", "--timeout", "30"]);
        Assert.That(parse.Errors, Is.Empty);
        Assert.That(parse.GetValue<uint>("--cpus"), Is.EqualTo(2));
        Assert.That(parse.GetValue<ulong>("--mem"), Is.EqualTo(1024));
        Assert.That(parse.GetValue<string[]>("--disk"), Is.EqualTo(Disks));
        Assert.That(parse.GetValue<string>("--restart"), Is.EqualTo("on-failure"));
    }

    [Test]
    public void A_disk_is_writable_unless_it_ends_in_ro_and_its_path_is_made_absolute()
    {
        var writable = VmcCommandLine.DiskOption("data.img");
        var readOnly = VmcCommandLine.DiskOption("/srv/media.img:ro");

        Assert.That(writable, Is.EqualTo(new VmDisk(Path.GetFullPath("data.img"), Writable: true)));
        Assert.That(readOnly, Is.EqualTo(new VmDisk("/srv/media.img", Writable: false)));
    }

    [Test]
    public async Task Help_documents_the_exit_codes()
    {
        var run = await VmcRun.RunAsync("--help");
        Assert.That(run.ExitCode, Is.Zero);
        Assert.That(run.Out, Does.Contain("Exit status:").And.Contain("125").And.Contain("not confirmed"));
        foreach (var verb in new[] { "start", "stop", "kill", "list", "info", "logs", "exec", "create", "destroy", "disks", "watch" })
        {
            Assert.That(run.Out, Does.Contain($"  {verb}"), verb);
        }
    }
}

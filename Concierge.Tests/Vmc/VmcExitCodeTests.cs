using System.Diagnostics;
using System.Globalization;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using Concierge.Vmc;
using NUnit.Framework;

namespace Concierge.Tests.Vmc;

/// <summary>
/// The exit-status table of the README and 'vmc --help', row by row: the real vmc executable run
/// as a real non-root user (nobody) against the real service, as a shell sees it.
/// </summary>
[TestFixture]
[Category("Bus")]
[NonParallelizable]
public sealed class VmcExitCodeTests
{
    private const string User = "nobody";
    private static readonly string Executable = Path.Combine(AppContext.BaseDirectory, "vmc");
    private ServiceUnderTest _service = null!;

    [OneTimeSetUp]
    public async Task StartService() => _service = await ServiceUnderTest.StartAsync();

    [OneTimeTearDown]
    public async Task StopService() => await _service.DisposeAsync();

    private async Task<CommandResult> Vmc(params string[] args) =>
        await AsUser.RunAsync(User, Executable, ["--address", _service.Bus.Address, .. args], TimeSpan.FromSeconds(120));

    [Test]
    public async Task A_kernel_the_user_may_not_name_is_access_denied_4()
    {
        var run = await Vmc("start", "shadowed", "--kernel", "/etc/shadow");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.AccessDenied), run.Output);
        Assert.That(run.StandardError, Does.Contain("access denied").And.Contain("outside").And.Not.Contain("group concierge"),
            "the service refused the path, not the bus the user: group advice would not help");
        Assert.That(run.StandardError, Does.Contain("you may not open /etc/shadow for reading either"), "vmc tried it as the user too");
    }

    [Test]
    public async Task A_users_own_kernel_outside_the_image_directory_is_passed_as_an_fd_and_read_by_the_service()
    {
        var directory = Directory.CreateTempSubdirectory("vmc-own-kernel-");
        try
        {
            File.SetUnixFileMode(directory.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var kernel = Path.Combine(directory.FullName, "my-vmlinuz");
            File.WriteAllBytes(kernel, new byte[8192]);

            var run = await Vmc("start", "own-kernel", "--kernel", kernel, "--timeout", "60");

            // The service read the passed file itself: its verdict is on the contents (no bzImage
            // header), not on the path it may not open for this user.
            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), run.Output);
            Assert.That(run.StandardError, Does.Not.Contain("access denied").And.Contain("bzImage"), run.Output);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task A_kernel_file_that_does_not_exist_is_a_bad_command_line_2()
    {
        var run = await Vmc("start", "nokernel", "--kernel", "/nonexistent/vmlinuz");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage), run.Output);
        Assert.That(run.StandardError, Does.Contain("/nonexistent/vmlinuz is not an existing file"));
    }

    [Test]
    public async Task A_service_that_does_not_answer_is_timed_out_6()
    {
        // The bus answers NoReply for the peer after a second, as it would after its 25 s default.
        await using var bus = await PrivateBus.StartAsync("""<limit name="reply_timeout">1000</limit>""");
        using var blackHole = Process.Start(new ProcessStartInfo("dbus-test-tool", ["black-hole", "--session", "--name=org.chromium.VmConcierge"])
        {
            Environment = { ["DBUS_SESSION_BUS_ADDRESS"] = bus.Address },
        })!;
        try
        {
            await WaitForOwnerAsync(bus.Address, "org.chromium.VmConcierge");

            var run = await AsUser.RunAsync(User, Executable, ["list", "--address", bus.Address], TimeSpan.FromSeconds(60));

            Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Timeout), run.Output);
            Assert.That(run.StandardError, Does.Contain("did not answer in time"));
        }
        finally
        {
            blackHole.Kill();
        }
    }

    [Test]
    public async Task An_address_that_is_not_one_is_a_bad_command_line_2()
    {
        var run = await AsUser.RunAsync(User, Executable, ["list", "--address", "garbage"]);

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage), run.Output);
        Assert.That(run.StandardError, Does.Contain("'garbage' is not a D-Bus address"));
    }

    [Test]
    public async Task Exec_in_a_vm_that_does_not_exist_is_no_such_vm_5()
    {
        var run = await Vmc("exec", "nosuch", "--", "true");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.NotFound), run.Output);
        Assert.That(run.StandardError, Does.Contain("no VM named 'nosuch'"));
    }

    [Test]
    public async Task Exec_in_a_vm_that_is_not_running_is_exec_failed_125()
    {
        Assert.That((await Vmc("start", "halted")).ExitCode, Is.EqualTo(ExitCodes.Failed), "the image directory's kernel is no kernel");

        var run = await Vmc("exec", "halted", "--", "true");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.ExecFailed), run.Output);
        Assert.That(run.StandardError, Does.StartWith("vmc: exec in VM 'halted': ").And.Contain("not running").And.Contain("'vmc list'"));
        Assert.That(run.StandardError, Does.Not.Contain("/org/chromium").And.Not.Contain("NAME"), "the VM by the name the user typed");
    }

    [TestCase("info")]
    [TestCase("start")]
    [TestCase("stop")]
    public async Task A_name_the_service_refuses_is_a_bad_command_line_2_for_every_command(string command)
    {
        var run = await Vmc(command, "a/b");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Usage), run.Output);
        Assert.That(run.StandardError, Does.Contain("malformed VM name"));
    }

    [Test]
    public async Task A_vm_that_fails_to_start_is_failed_1_and_no_empty_log_is_suggested()
    {
        // The service's image directory holds a "vmlinuz" that is no kernel: the VM fails at once.
        var run = await Vmc("start", "broken");

        Assert.That(run.ExitCode, Is.EqualTo(ExitCodes.Failed), run.Output);
        Assert.That(run.StandardError, Does.Contain("did not start: ").And.Contain("too short for a bzImage header").And.Not.Contain("vmc logs"));
    }

    [Test]
    public async Task Watch_ended_by_sigint_is_interrupted_130()
    {
        // As a terminal would start it: a test run launched in the background (a CI job) has
        // SIGINT ignored, and an ignored SIGINT is inherited by every process it starts.
        using var watch = Process.Start(new ProcessStartInfo("env",
            ["--default-signal=INT", "setpriv", .. await AsUser.SetprivAsync(User), Executable, "watch", "--address", _service.Bus.Address])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var subscribed = await watch.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.That(subscribed, Does.Contain("Watching VM events"));

        await Command.RunCheckedAsync("kill", "-INT", watch.Id.ToString(CultureInfo.InvariantCulture));
        await watch.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.That(watch.ExitCode, Is.EqualTo(ExitCodes.Interrupted), await watch.StandardError.ReadToEndAsync());
    }

    private static async Task WaitForOwnerAsync(string address, string name)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var owner = await Command.RunAsync("busctl", ["--address=" + address, "status", name]);
            if (owner.ExitCode == 0)
            {
                return;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"nobody took {name} on {address}");
    }
}

using System.Runtime.InteropServices;
using Concierge.Contracts;
using Concierge.Service.DBus.Objects;
using Concierge.Service.Protocol;
using Concierge.Tests.Service.Hosting;
using Concierge.Tests.TestSupport;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using NUnit.Framework;
using Tmds.DBus.Protocol;
using FdType = Concierge.Service.Protocol.StartVmRequest.Types.FdType;

namespace Concierge.Tests.Service.Api;

/// <summary>
/// StartVmWithFds on the real service: a passed fd is checked in the call and used as the fd
/// (never reopened by a /proc/self/fd path, never persisted), and a malformed fd list leaks nothing.
/// </summary>
[TestFixture]
[Category("Bus")]
public sealed partial class PassedFdTests : ConnectedServiceFixture
{
    private const int OPath = 0x200000;

    private string Kernel => Path.Combine(Service.ImageDirectory, "vmlinuz");

    [Test]
    public async Task ARepeatedFdIndexIsInvalidArgsAndLeaksNothing()
    {
        var before = ServiceFdCount();
        for (var i = 0; i < 5; i++)
        {
            // A message takes the handles written into it and closes them once sent.
            var kernel = File.OpenHandle(Kernel);
            var error = Assert.ThrowsAsync<DBusErrorReplyException>(() => StartWithFdsAsync(Request("twice", FdType.Kernel, FdType.Initrd), (ref MessageWriter body) =>
            {
                body.WriteHandle(kernel);
                body.WriteUInt32(0);
            }));
            Assert.That(error!.ErrorName, Is.EqualTo(DBusErrorNames.InvalidArgs), error.Message);
        }
        await Eventually.HoldsAsync(() => ServiceFdCount() <= before, TimeSpan.FromSeconds(10),
            () => $"the service holds {ServiceFdCount()} fds, {before} before the calls");
    }

    [Test]
    public async Task AnOPathKernelFdIsRefusedInTheReply()
    {
        using var kernel = OpenPath(Kernel);
        var response = await StartWithFdsAsync(Request("opath", FdType.Kernel), (ref MessageWriter body) => body.WriteHandle(kernel));

        Assert.That(response.Success, Is.False);
        Assert.That(response.FailureReason, Does.Contain("O_PATH"));
        Assert.That(await ListedAsync("opath"), Is.False, "a refused start registers nothing");
    }

    [Test]
    public async Task AReadOnlyRootfsFdIsRefusedInTheReply()
    {
        var disk = Path.Combine(Service.Root, "readonly-rootfs.img");
        File.WriteAllBytes(disk, new byte[1 << 20]);
        using var kernel = File.OpenHandle(Kernel);
        using var rootfs = File.OpenHandle(disk);
        var response = await StartWithFdsAsync(Request("readonly", FdType.Kernel, FdType.Rootfs), (ref MessageWriter body) =>
        {
            body.WriteHandle(kernel);
            body.WriteHandle(rootfs);
        });

        Assert.That(response.Success, Is.False);
        Assert.That(response.FailureReason, Does.Contain("O_RDWR"));
        Assert.That(await ListedAsync("readonly"), Is.False);
    }

    [Test]
    public async Task AVmFromFdsPersistsNoFdPathAndAfterARestartAsksForItsImagesAgain()
    {
        using (var kernel = File.OpenHandle(Kernel))
        {
            var started = await StartWithFdsAsync(Request("from-fds", FdType.Kernel), (ref MessageWriter body) => body.WriteHandle(kernel));
            Assert.That(started.Success, Is.True, started.FailureReason);
        }
        var state = await File.ReadAllTextAsync(Path.Combine(Service.StateDirectory, "state.json"));
        Assert.That(state, Does.Not.Contain("/proc/self/fd").And.Contain("\"fromPassedFds\": true"));

        await Service.RestartAsync();
        using var bus = await TestBus.ConnectAsync(Service.Bus.Address);
        var again = await ApiClient.CallAsync(bus, "StartVm", new StartVmRequest { Name = "from-fds", OwnerId = "0" }, StartVmResponse.Parser);

        Assert.That(again.Success, Is.False);
        Assert.That(again.FailureReason, Does.Contain("started from passed file descriptors").And.Contain("pass its images again"));
    }

    private static StartVmRequest Request(string name, params FdType[] fds)
    {
        var request = new StartVmRequest { Name = name, OwnerId = "0" };
        request.Fds.Add(fds);
        return request;
    }

    private async Task<StartVmResponse> StartWithFdsAsync(StartVmRequest request, BodyWriter writeFds)
    {
        var bytes = request.ToByteArray();
        var reply = await Connection.CallAsync(ConciergeProcess.BusName, ApiClient.Root, ApiClient.ChromeOs, "StartVmWithFds", "ayah", (ref MessageWriter body) =>
        {
            body.WriteArray(bytes);
            var fds = body.WriteArrayStart(DBusType.UnixFd);
            writeFds(ref body);
            body.WriteArrayEnd(fds);
        }, static (message, _) => message.GetBodyReader().ReadArrayOfByte()).WaitAsync(TimeSpan.FromSeconds(60));
        return StartVmResponse.Parser.ParseFrom(reply);
    }

    private async Task<bool> ListedAsync(string name)
    {
        var list = await ApiClient.CallAsync(Connection, "ListVms", new ListVmsRequest { OwnerId = "0" }, ListVmsResponse.Parser);
        return list.Vms.Any(vm => vm.Name == name);
    }

    private int ServiceFdCount() => Directory.GetFileSystemEntries($"/proc/{Service.Service!.ProcessId}/fd").Length;

    private static SafeFileHandle OpenPath(string path)
    {
        var fd = OpenNative(path, OPath);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), Marshal.GetLastPInvokeErrorMessage());
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags);
}

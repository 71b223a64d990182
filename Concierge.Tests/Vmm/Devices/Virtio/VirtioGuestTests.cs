using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Concierge.Tests.TestSupport;
using Concierge.Tests.Vmm.Devices.Virtio.Guest;
using Concierge.Vmm;
using Concierge.Vmm.Devices.Virtio.Vsock;
using Concierge.Vmm.Images;
using NUnit.Framework;

namespace Concierge.Tests.Vmm.Devices.Virtio;

/// <summary>
/// Debian's stock kernel drives our virtio-pci devices with its own modules, on real KVM: one
/// boot exercises a read-write disk (pattern written, synced, read back from the image file on
/// the host; a range discarded with blkdiscard reads back as zeroes), a read-only disk (writes refused), /dev/hwrng, and vsock both ways with MiBs
/// checked by SHA-256 on each side.
/// </summary>
[TestFixture, Category("Kvm"), HangGuard(15), NonParallelizable]
public sealed class VirtioGuestTests
{
    private const ulong GuestCid = 3;
    private const uint HostPort = 7777;
    private const uint GuestPort = 5000;
    private const string Pattern = "CONCIERGE-BLOCK-PATTERN-0123456789";
    private const int PatternSector = 3;
    private const int DiscardOffset = 4 << 20;
    private const int DiscardLength = 1 << 20;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(Environment.GetEnvironmentVariable("TEST_VIRTIO_MINUTES") is { } m ? int.Parse(m, System.Globalization.CultureInfo.InvariantCulture) : 10);

    // pci=noacpi: the monitor's DSDT describes no PCI host bridge, so with ACPI routing Linux
    // would never scan bus 0; this makes it probe mechanism #1 itself (MSI-X needs no routing).
    internal const string CommandLine = VmSpec.DefaultCommandLine + " pci=noacpi";

    private static readonly string Script = $"""
        for i in $(seq 1 100); do [ -b /dev/vdb ] && [ -c /dev/hwrng ] && break; sleep 0.1; done
        echo "BLK-SIZE $(cat /sys/block/vda/size) RO=$(cat /sys/block/vdb/ro)"
        printf '{Pattern}' | dd of=/dev/vda bs=512 seek={PatternSector} conv=sync,fsync 2>/dev/null
        echo "BLK-WRITE $?"
        sync
        echo "BLK-LIMITS $(cat /sys/block/vda/queue/discard_max_bytes) $(cat /sys/block/vda/queue/write_zeroes_max_bytes)"
        blkdiscard -o {DiscardOffset} -l {DiscardLength} /dev/vda
        echo "BLK-DISCARD $?"
        dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync 2>/dev/null
        echo "RO-WRITE $?"
        echo "RO-READ $(dd if=/dev/vdb bs=16 count=1 2>/dev/null)"
        echo "MSI-VECTORS $(grep -c PCI-MSI /proc/interrupts)"
        echo "HWRNG $(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
        dd if=/dev/urandom of=/tmp/out bs=65536 count=64 2>/dev/null
        echo "G2H-SENT $(sha256sum /tmp/out)"
        vsockio connect 2 {HostPort} </tmp/out >/tmp/in
        echo "G2H-EXIT $?"
        vsockio listen {GuestPort} </dev/null >/tmp/h2g &
        listener=$!
        wait $listener
        echo "H2G-EXIT $?"
        echo "G2H-REPLY $(sha256sum /tmp/in)"
        echo "H2G-RECEIVED $(sha256sum /tmp/h2g)"
        echo VIRTIO-DONE
        poweroff -f
        """;

    private DirectoryInfo _scratch = null!;

    [SetUp]
    public void CreateScratch() => _scratch = Directory.CreateTempSubdirectory("virtio-guest-");

    [TearDown]
    public void DeleteScratch() => _scratch.Delete(recursive: true);

    [Test]
    public async Task StockKernelDrivesBlockRngAndVsock()
    {
        var initrd = await VirtioGuestImage.CreateAsync(_scratch.FullName, Script);
        var disk = Path.Combine(_scratch.FullName, "disk.img");
        var readOnlyDisk = Path.Combine(_scratch.FullName, "ro.img");
        var diskBytes = new byte[8 << 20];
        diskBytes.AsSpan(DiscardOffset - 512, DiscardLength + 1024).Fill(0xA5);
        File.WriteAllBytes(disk, diskBytes);
        File.WriteAllBytes(readOnlyDisk, Encoding.ASCII.GetBytes("READ-ONLY-DISK!!").Concat(new byte[(1 << 20) - 16]).ToArray());
        var replyToGuest = RandomNumberGenerator.GetBytes(3 << 20);
        var sendToGuest = RandomNumberGenerator.GetBytes(3 << 20);

        var spec = StockGuest.Spec(initrd, vcpus: 1, memoryMiB: 256, CommandLine) with
        {
            BlockDevices =
            [
                new BlockDeviceSpec(ImageFile.Open(disk, writable: true), ReadOnly: false, "concierge-rw"),
                new BlockDeviceSpec(ImageFile.Open(readOnlyDisk, writable: false), ReadOnly: true, "concierge-ro"),
            ],
            Rng = true,
            Vsock = new VsockDeviceSpec(GuestCid),
        };
        var lines = new ConcurrentQueue<string>();
        string? console;
        VmExit exit;
        Task<string> guestToHost;
        Task hostToGuest;
        var consoleLog = Path.Combine(Path.GetTempPath(), "virtio-guest-console.log");
        File.Delete(consoleLog);
        await using (var vm = new VmBuilder(spec).WithConsoleLog(consoleLog).Build())
        {
            var vsock = vm.Vsock!;
            using var listener = vsock.Listen(HostPort);
            guestToHost = ServeGuestConnection(listener, replyToGuest);
            var guestListening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            vm.Console.LineReceived += line =>
            {
                lines.Enqueue(line);
                if (line.Contains($"VSOCKIO-LISTENING {GuestPort}", StringComparison.Ordinal))
                {
                    guestListening.TrySetResult();
                }
            };
            hostToGuest = ConnectToGuest(vsock, guestListening.Task, sendToGuest);
            vm.Start();
            await Task.WhenAny(vm.WaitForExitAsync(), Task.Delay(RunTimeout));
            console = vm.Console.RecentOutput;
            TestContext.Out.WriteLine(console);
            Assert.That(vm.Exit, Is.Not.Null, $"the guest did not finish within {RunTimeout}; console in {consoleLog}:\n{console}");
            exit = vm.Exit!;
        }

        Assert.That(exit.Reason, Is.EqualTo(VmExitReason.PowerOff), exit.Detail);
        Assert.That(lines.Where(l => l.Contains(VirtioGuestImage.InsmodFailed, StringComparison.Ordinal)), Is.Empty);
        Assert.That(Line(lines, "BLK-SIZE"), Is.EqualTo($"{(8 << 20) / 512} RO=1"));
        Assert.That(Line(lines, "BLK-WRITE"), Is.EqualTo("0"));
        Assert.That(Line(lines, "RO-WRITE"), Is.Not.EqualTo("0"), "a read-only disk refuses writes");
        Assert.That(Line(lines, "RO-READ"), Is.EqualTo("READ-ONLY-DISK!!"));
        var image = await File.ReadAllBytesAsync(disk);
        Assert.That(Encoding.ASCII.GetString(image, PatternSector * 512, Pattern.Length), Is.EqualTo(Pattern), "the guest's write reached the image file");
        var limits = Line(lines, "BLK-LIMITS").Split(' ');
        Assert.That(limits.Select(value => long.Parse(value, System.Globalization.CultureInfo.InvariantCulture)), Is.All.GreaterThan(0L), "the guest's driver took DISCARD and WRITE_ZEROES");
        Assert.That(Line(lines, "BLK-DISCARD"), Is.EqualTo("0"));
        Assert.That(image.AsSpan(DiscardOffset, DiscardLength).ToArray(), Is.All.EqualTo(0), "blkdiscard punched the range out of the image");
        Assert.That(image.AsSpan(DiscardOffset - 512, 512).ToArray(), Is.All.EqualTo(0xA5), "the sector before the range is kept");
        Assert.That(image.AsSpan(DiscardOffset + DiscardLength, 512).ToArray(), Is.All.EqualTo(0xA5), "the sector after the range is kept");

        Assert.That(int.Parse(Line(lines, "MSI-VECTORS"), System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(4), "queues interrupt through MSI-X");
        var random = Line(lines, "HWRNG");
        Assert.That(random, Has.Length.EqualTo(64).And.Not.EqualTo(new string('0', 64)));

        Assert.That(Line(lines, "G2H-EXIT"), Is.EqualTo("0"));
        Assert.That(Line(lines, "H2G-EXIT"), Is.EqualTo("0"));
        Assert.That(Hash(Line(lines, "G2H-SENT")), Is.EqualTo(await guestToHost), "guest -> host bytes arrived intact");
        Assert.That(Hash(Line(lines, "G2H-REPLY")), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(replyToGuest))), "host reply reached the guest intact");
        await hostToGuest;
        Assert.That(Hash(Line(lines, "H2G-RECEIVED")), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(sendToGuest))), "host -> guest connection delivered intact");
    }

    /// <summary>Accepts the guest's connection, hashes everything it sends until it shuts down sending, then replies and closes.</summary>
    private static async Task<string> ServeGuestConnection(IVsockListener listener, byte[] reply)
    {
        await using var stream = await listener.AcceptAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 << 10];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
        await stream.WriteAsync(reply);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Once the guest listens, connects to it, sends <paramref name="data"/> and closes; drains what the guest sends (nothing).</summary>
    private static async Task ConnectToGuest(VsockDevice vsock, Task guestListening, byte[] data)
    {
        await guestListening;
        await using var stream = await vsock.ConnectAsync(GuestPort);
        await stream.WriteAsync(data);
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer) > 0)
        {
        }
    }

    private static string Line(IEnumerable<string> lines, string key)
    {
        var line = lines.FirstOrDefault(l => l.StartsWith(key + " ", StringComparison.Ordinal));
        Assert.That(line, Is.Not.Null, $"the guest printed no {key} line");
        return line![(key.Length + 1)..].Trim();
    }

    private static string Hash(string sha256sumOutput) => sha256sumOutput.Split(' ', 2)[0];
}

using Concierge.Service.Api;
using Concierge.Service.DBus;
using Concierge.Service.Protocol;
using Concierge.Service.Registry;
using Concierge.Service.Storage;
using Concierge.Service.Supervision;
using Concierge.Service.Vms;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using Serilog;

namespace Concierge.Fuzz.Targets.Service;

/// <summary>
/// The Chrome OS face's protobuf handlers as a D-Bus call reaches them after the bus
/// (<see cref="ChromeOsInterface.AnswerAsync"/>): parsing, owner and path checks, passed fds, the
/// registry and disk images in a fresh state directory, in-band refusals. VMs are never built.
/// </summary>
/// <remarks>
/// Input: calls until it ends (at most 16), each a method byte (index into <see cref="Methods"/>),
/// a caller byte (0: root, else uid 1000), an fd count (b % 4, passed only to StartVmWithFds; each
/// a read-only fd of a file in the image directory), a 16-bit request length and the request.
/// Every call must answer; a logged error (an "internal error") is a finding.
/// </remarks>
public sealed class ChromeOsTarget : IFuzzTarget
{
    /// <summary>The methods a call byte picks from.</summary>
    public static readonly string[] Methods =
    [
        "StartVm", "StopVm", "GetVmInfo", "ListVms", "SuspendVm", "ResumeVm",
        "CreateDiskImage", "DestroyDiskImage", "ListVmDisks", "GetVmLogs", "StartVmWithFds",
    ];

    private const int MaxCalls = 16;
    private const uint User = 1000;
    private static readonly string[] ImageFiles = ["vmlinuz", "initrd.img", "rootfs.img"];

    /// <summary>
    /// The system image directory, at a fixed path so seeds can name files in it; made once per
    /// process with the same dummy files (nothing boots them).
    /// </summary>
    private static readonly Lazy<string> Images = new(() =>
    {
        const string directory = "/tmp/concierge-fuzz-images";
        Directory.CreateDirectory(directory);
        foreach (var file in ImageFiles)
        {
            File.WriteAllBytes(Path.Combine(directory, file), new byte[512]);
        }
        return directory;
    });

    /// <inheritdoc />
    public string Name => "chromeos-api";

    /// <inheritdoc />
    public void Run(ReadOnlySpan<byte> input)
    {
        var calls = new List<(string Member, Caller Caller, int Fds, byte[] Request)>();
        var reader = new FuzzInput(input);
        while (!reader.IsEmpty && calls.Count < MaxCalls)
        {
            var member = Methods[reader.Byte() % Methods.Length];
            var caller = new Caller(reader.Byte() == 0 ? 0 : User);
            var fds = reader.Byte() % 4;
            calls.Add((member, caller, fds, reader.Bytes(reader.Le16()).ToArray()));
        }
        RunAsync(calls).GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public IEnumerable<(string Name, byte[] Input)> Seeds()
    {
        var start = new StartVmRequest { Name = "vm", KernelPath = "/tmp/concierge-fuzz-images/vmlinuz", InitrdPath = "/tmp/concierge-fuzz-images/initrd.img", Cpus = 1, MemoryMib = 256 };
        yield return ("start-info-stop", Calls(("StartVm", 0, 0, start), ("GetVmInfo", 0, 0, new GetVmInfoRequest { Name = "vm" }), ("StopVm", 0, 0, new StopVmRequest { Name = "vm" })));
        yield return ("start-with-fds", Calls(("StartVmWithFds", 1, 2, new StartVmRequest
        {
            Name = "fds",
            Fds = { StartVmRequest.Types.FdType.Kernel, StartVmRequest.Types.FdType.Initrd },
        })));
        yield return ("disks", Calls(
            ("CreateDiskImage", 1, 0, new CreateDiskImageRequest { VmName = "d", DiskSize = 1 << 20, StorageLocation = StorageLocation.StorageCryptohomeRoot }),
            ("ListVmDisks", 1, 0, new ListVmDisksRequest { StorageLocation = StorageLocation.StorageCryptohomeRoot }),
            ("DestroyDiskImage", 1, 0, new DestroyDiskImageRequest { VmName = "d" })));
        yield return ("other-owner", Calls(("ListVms", 1, 0, new ListVmsRequest { OwnerId = "0" }), ("SuspendVm", 1, 0, new SuspendVmRequest { Name = "x", OwnerId = "0" })));
        yield return ("unknown-vm", Calls(("ResumeVm", 0, 0, new ResumeVmRequest { Name = "none" }), ("GetVmLogs", 0, 0, new GetVmLogsRequest { Name = "none" })));
        yield return ("malformed", new SeedWriter().Byte(0).Byte(0).Byte(0).Le16(3).Bytes([0x0A, 0xFF, 0xFF]).ToArray());
    }

    private static async Task RunAsync(List<(string Member, Caller Caller, int Fds, byte[] Request)> calls)
    {
        var root = Directory.CreateTempSubdirectory("concierge-fuzz-state-");
        try
        {
            var images = Images.Value;
            var trap = new ErrorTrap();
            var log = new LoggerConfiguration().MinimumLevel.Warning().WriteTo.Sink(trap).CreateLogger();
            var layout = new StorageLayout(root.FullName);
            var disks = new DiskImageStore(layout);
            var registry = VmRegistry.Open(layout, disks, TimeProvider.System, log, out _);
            await using var vms = new VmManager(registry, layout, new RefusingVmFactory(), new SupervisorOptions(), TimeProvider.System, log);
            var api = new ConciergeApi(vms, disks, new VmDefinitionBuilder(new ImagePathPolicy(layout, images)), layout);
            var face = new ChromeOsInterface(api, log);
            foreach (var (member, caller, fdCount, request) in calls)
            {
                var fds = member == "StartVmWithFds"
                    ? ImageFiles.Take(fdCount).Select(f => File.OpenHandle(Path.Combine(images, f))).ToList()
                    : new List<SafeFileHandle>();
                try
                {
                    await face.AnswerAsync(caller, member, request, fds);
                }
                finally
                {
                    fds.ForEach(fd => fd.Dispose());
                }
                trap.ThrowIfAny();
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private static byte[] Calls(params (string Member, byte Caller, byte Fds, IMessage Request)[] calls)
    {
        var seed = new SeedWriter();
        foreach (var (member, caller, fds, request) in calls)
        {
            var bytes = request.ToByteArray();
            seed.Byte((byte)Array.IndexOf(Methods, member)).Byte(caller).Byte(fds).Le16((ushort)bytes.Length).Bytes(bytes);
        }
        return seed.ToArray();
    }
}

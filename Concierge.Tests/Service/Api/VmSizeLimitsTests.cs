using Concierge.Service.Api;
using Concierge.Service.DBus;
using Concierge.Service.Naming;
using Concierge.Service.Protocol;
using Concierge.Service.Registry;
using Concierge.Service.Storage;
using Concierge.Service.Supervision;
using Concierge.Tests.Service.Support;
using Concierge.Vmm;
using Google.Protobuf;
using Microsoft.Win32.SafeHandles;
using NUnit.Framework;
using Serilog;

namespace Concierge.Tests.Service.Api;

/// <summary>
/// vCPUs and memory are held to the monitor's own limits (<see cref="VmSpec.CheckLimits"/>) when
/// StartVm arrives: a VM that could never run is refused in the reply and never registered.
/// </summary>
[TestFixture, Category("Unit")]
public sealed class VmSizeLimitsTests
{
    private static readonly Caller Root = new(0);
    private TempDirectory _root = null!;
    private FakeVmFactory _factory = null!;
    private VmManager _vms = null!;
    private ConciergeApi _api = null!;
    private string _kernel = "";

    [SetUp]
    public void CreateApi()
    {
        _root = new TempDirectory();
        var images = Directory.CreateDirectory(Path.Combine(_root.Path, "images")).FullName;
        _kernel = Path.Combine(images, "vmlinuz");
        File.WriteAllText(_kernel, "not a kernel");
        var layout = new StorageLayout(Path.Combine(_root.Path, "state"));
        var disks = new DiskImageStore(layout);
        var log = new LoggerConfiguration().CreateLogger();
        _factory = new FakeVmFactory();
        _vms = new VmManager(VmRegistry.Open(layout, disks, TimeProvider.System, log, out _), layout, _factory,
            new SupervisorOptions(), TimeProvider.System, log);
        _api = new ConciergeApi(_vms, disks, new VmDefinitionBuilder(new ImagePathPolicy(layout, images)), layout);
    }

    [TearDown]
    public async Task DisposeApi()
    {
        await _vms.DisposeAsync();
        _root.Dispose();
    }

    [TestCase(1u, 48ul, "memory 48 MiB is outside 64..")]
    [TestCase(1u, (ulong)VmSpec.MaxMemoryMiB + 1, "is outside 64..")]
    [TestCase(10_000u, 512ul, "vCPU count 10000 is outside 1..32")]
    public void AVmTheMonitorCannotRunIsRefusedWhenTheCallArrives(uint vcpus, ulong memoryMiB, string reason)
    {
        var request = new VmStartRequest { KernelPath = _kernel, Vcpus = vcpus, MemoryMiB = memoryMiB };

        var error = Assert.Throws<InvalidRequestException>(() => _api.Start(Root, 0, "too-odd", request, out _));

        Assert.That(error!.Message, Does.Contain(reason));
        Assert.That((_api.List(Root, null).Count, _factory.CreatedCount), Is.EqualTo((0, 0)), "nothing is registered or started");
    }

    [Test]
    public async Task TheChromeOsFaceAnswersTheRefusalInTheSameReply()
    {
        var face = new ChromeOsInterface(_api, new CallerResolver(), new LoggerConfiguration().CreateLogger());
        var request = new StartVmRequest { Name = "small", KernelPath = _kernel, MemoryMib = 48 };

        var response = (StartVmResponse)await face.AnswerAsync(Root, "StartVm", request.ToByteArray(), new List<SafeFileHandle>());

        Assert.That((response.Success, response.Status), Is.EqualTo((false, VmStatus.Failure)));
        Assert.That(response.FailureReason, Does.StartWith("invalid argument: memory 48 MiB is outside"));
        Assert.That(_api.List(Root, null), Is.Empty);
    }

    [Test]
    public void TheLimitsAcceptTheirOwnBounds()
    {
        var bounds = new VmStartRequest { KernelPath = _kernel, Vcpus = VmSpec.MaxVcpus, MemoryMiB = VmSpec.MinMemoryMiB };

        var view = _api.Start(Root, 0, "at-the-bounds", bounds, out var started);

        Assert.That((started, view.Definition.Vcpus, view.Definition.MemoryMiB), Is.EqualTo((true, (uint)VmSpec.MaxVcpus, (ulong)VmSpec.MinMemoryMiB)));
    }
}

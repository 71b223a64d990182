using Concierge.Service.Api;
using Concierge.Service.DBus;
using Concierge.Service.Errors;
using Concierge.Service.Protocol;
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
    private ApiUnderTest _service = null!;

    private ConciergeApi Api => _service.Api;

    private string Kernel => Path.Combine(_service.ImageDirectory, VmDefinitionBuilder.DefaultKernelName);

    [SetUp]
    public void CreateApi() => _service = new ApiUnderTest();

    [TearDown]
    public async Task DisposeApi() => await _service.DisposeAsync();

    [TestCase(1u, 48ul, "memory 48 MiB is outside 64..")]
    [TestCase(1u, (ulong)VmSpec.MaxMemoryMiB + 1, "is outside 64..")]
    [TestCase(10_000u, 512ul, "vCPU count 10000 is outside 1..32")]
    public void AVmTheMonitorCannotRunIsRefusedWhenTheCallArrives(uint vcpus, ulong memoryMiB, string reason)
    {
        var request = new VmStartRequest { KernelPath = Kernel, Vcpus = vcpus, MemoryMiB = memoryMiB };

        var error = Assert.Throws<InvalidRequestException>(() => Api.Start(Root, 0, "too-odd", request, out _));

        Assert.That(error!.Message, Does.Contain(reason));
        Assert.That((Api.List(Root, null).Count, _service.Factory.CreatedCount), Is.EqualTo((0, 0)), "nothing is registered or started");
    }

    [Test]
    public async Task TheChromeOsFaceAnswersTheRefusalInTheSameReply()
    {
        var face = new ChromeOsInterface(Api, new LoggerConfiguration().CreateLogger());
        var request = new StartVmRequest { Name = "small", KernelPath = Kernel, MemoryMib = 48 };

        var response = (StartVmResponse)await face.AnswerAsync(Root, "StartVm", request.ToByteArray(), new List<SafeFileHandle>());

        Assert.That((response.Success, response.Status), Is.EqualTo((false, VmStatus.Failure)));
        Assert.That(response.FailureReason, Does.StartWith("invalid argument: memory 48 MiB is outside"));
        Assert.That(Api.List(Root, null), Is.Empty);
    }

    [Test]
    public void TheLimitsAcceptTheirOwnBounds()
    {
        var bounds = new VmStartRequest { KernelPath = Kernel, Vcpus = VmSpec.MaxVcpus, MemoryMiB = VmSpec.MinMemoryMiB };

        var view = Api.Start(Root, 0, "at-the-bounds", bounds, out var started);

        Assert.That((started, view.Definition.Vcpus, view.Definition.MemoryMiB), Is.EqualTo((true, (uint)VmSpec.MaxVcpus, (ulong)VmSpec.MinMemoryMiB)));
    }
}

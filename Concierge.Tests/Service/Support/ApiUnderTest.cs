using Concierge.Service.Api;
using Concierge.Service.Registry;
using Concierge.Service.Storage;
using Concierge.Service.Supervision;

namespace Concierge.Tests.Service.Support;

/// <summary>
/// The service's API as the hosted service composes it (registry, manager, definitions, image
/// policy over a temporary state and image directory), over fake VMs and without a bus.
/// </summary>
internal sealed class ApiUnderTest : IAsyncDisposable
{
    private readonly TempDirectory _root = new();

    public ApiUnderTest()
    {
        ImageDirectory = Directory.CreateDirectory(Path.Combine(_root.Path, "images")).FullName;
        File.WriteAllText(Path.Combine(ImageDirectory, VmDefinitionBuilder.DefaultKernelName), "a kernel");
        var layout = new StorageLayout(Path.Combine(_root.Path, "state"));
        var disks = new DiskImageStore(layout);
        Registry = VmRegistry.Open(layout, disks, TimeProvider.System, Logs.CreateLogger(), out _);
        Vms = new VmManager(Registry, layout, Factory, new SupervisorOptions(), TimeProvider.System, Logs.CreateLogger());
        Api = new ConciergeApi(Vms, disks, new VmDefinitionBuilder(new ImagePathPolicy(layout, ImageDirectory)), layout, _ => null);
    }

    public FakeVmFactory Factory { get; } = new();

    public CollectingSink Logs { get; } = new();

    public string ImageDirectory { get; }

    public VmRegistry Registry { get; }

    public VmManager Vms { get; }

    public ConciergeApi Api { get; }

    public async ValueTask DisposeAsync()
    {
        await Vms.DisposeAsync();
        _root.Dispose();
    }
}

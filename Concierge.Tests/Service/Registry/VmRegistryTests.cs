using System.Text.Json;
using Concierge.Service.Registry;
using Concierge.Service.Storage;
using Concierge.Service.Supervision;
using Concierge.Tests.Service.Support;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace Concierge.Tests.Service.Registry;

[TestFixture, Category("Unit")]
public sealed class VmRegistryTests
{
    private TempDirectory _root = null!;
    private StorageLayout _layout = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 14, 0, 0, TimeSpan.Zero));
    private readonly CollectingSink _logs = new();

    [SetUp]
    public void SetUp()
    {
        _root = new TempDirectory();
        _layout = new StorageLayout(_root.Path);
    }

    [TearDown]
    public void TearDown() => _root.Dispose();

    [Test]
    public void Records_survive_a_reopen_unchanged()
    {
        var registry = Open(out var first);
        var definition = new VmDefinition
        {
            KernelPath = "/boot/vmlinuz",
            InitrdPath = "/boot/initrd.img",
            KernelParams = ["quiet", "console=ttyS0"],
            Disks = [new DiskDefinition("/srv/data.img", Writable: true), new DiskDefinition("/srv/media.img", Writable: false)],
            Vcpus = 2,
            MemoryMiB = 1024,
            HeartbeatInterval = TimeSpan.FromMilliseconds(500),
            MissedHeartbeats = 4,
            RestartPolicy = RestartPolicy.OnUnresponsive,
        };
        registry.Put(new VmRecord { Owner = 1000, Name = "dev", Definition = definition, State = VmState.Stopped, StopReason = VmStopReason.VmExited });
        registry.Put(new VmRecord { Owner = 0, Name = "sys", Definition = new VmDefinition { KernelPath = "/k" }, State = VmState.Failed, FailureReason = "guest crashed" });

        var reopened = Open(out var report);

        Assert.Multiple(() =>
        {
            Assert.That(first.IsClean && report.IsClean, Is.True);
            var dev = reopened.Find(new VmKey(1000, "dev"))!;
            Assert.That(dev.Definition.KernelParams, Is.EqualTo(new[] { "quiet", "console=ttyS0" }));
            Assert.That(dev.Definition.Disks, Is.EqualTo(definition.Disks));
            Assert.That(dev.Definition.SameAs(definition), Is.True, $"{dev.Definition}");
            Assert.That(dev.StopReason, Is.EqualTo(VmStopReason.VmExited));
            Assert.That(dev.UpdatedAt, Is.EqualTo(_time.GetUtcNow()));
            Assert.That(reopened.List().Select(r => r.Key.ToString()), Is.EqualTo(new[] { "0/sys", "1000/dev" }));
            Assert.That(reopened.List(1000).Single().Name, Is.EqualTo("dev"));
        });
    }

    [Test]
    public void The_state_file_is_readable_json_with_enum_names()
    {
        var registry = Open(out _);
        registry.Put(new VmRecord { Owner = 1000, Name = "dev", Definition = new VmDefinition { KernelPath = "/k" }, State = VmState.Running, Cid = 32 });

        using var json = JsonDocument.Parse(File.ReadAllBytes(_layout.StateFile));
        var vm = json.RootElement.GetProperty("vms")[0];
        Assert.That(json.RootElement.GetProperty("version").GetInt32(), Is.EqualTo(1));
        Assert.That(vm.GetProperty("state").GetString(), Is.EqualTo("Running"));
        Assert.That(vm.GetProperty("definition").GetProperty("restartPolicy").GetString(), Is.EqualTo("Never"));
        Assert.That(vm.TryGetProperty("key", out _), Is.False, "computed properties are not stored");
    }

    [Test]
    public void Update_and_remove_persist()
    {
        var registry = Open(out _);
        var key = new VmKey(1000, "dev");
        registry.Put(new VmRecord { Owner = 1000, Name = "dev", Definition = new VmDefinition() });
        Assert.That(registry.Update(new VmKey(1000, "nope"), r => r), Is.Null);

        registry.Update(key, r => r with { State = VmState.Failed, FailureReason = "x", Owner = 5, Name = "renamed" });
        Assert.That(Open(out _).Find(key)!.FailureReason, Is.EqualTo("x"), "identity fields cannot be changed by an update");

        Assert.That(registry.Remove(key), Is.True);
        Assert.That(registry.Remove(key), Is.False);
        Assert.That(Open(out _).List(), Is.Empty);
    }

    [Test]
    public void Reconciles_what_a_crash_left_behind()
    {
        var registry = Open(out _);
        foreach (var (name, state) in new[] { ("a", VmState.Running), ("b", VmState.Starting), ("c", VmState.Stopping), ("d", VmState.Suspended), ("e", VmState.Stopped), ("f", VmState.Failed) })
        {
            registry.Put(new VmRecord { Owner = 1000, Name = name, Definition = new VmDefinition(), State = state, Cid = state == VmState.Stopped ? null : 40u });
        }
        var temp = _layout.StateFile + AtomicFile.TempSuffix;
        File.WriteAllText(temp, "{ half a wri");
        var partial = Path.Combine(_layout.DiskDirectory(1000, create: true), "aGFsZg==.img" + StorageLayout.PartialSuffix);
        File.WriteAllText(partial, "");

        var reopened = Open(out var report);

        Assert.Multiple(() =>
        {
            Assert.That(report.RemovedTempFiles, Is.EqualTo(new[] { temp }));
            Assert.That(report.RemovedPartialImages, Is.EqualTo(new[] { partial }));
            Assert.That(report.StoppedVms.Select(k => k.Name).Order(), Is.EqualTo(new[] { "a", "b", "c", "d" }));
            Assert.That(File.Exists(temp) || File.Exists(partial), Is.False);
            var a = reopened.Find(new VmKey(1000, "a"))!;
            Assert.That(a.State, Is.EqualTo(VmState.Stopped));
            Assert.That(a.StopReason, Is.EqualTo(VmStopReason.ServiceCrashed));
            Assert.That(a.FailureReason, Is.EqualTo("the service stopped while the VM was running"));
            Assert.That(a.Cid, Is.Null);
            Assert.That(reopened.Find(new VmKey(1000, "f"))!.State, Is.EqualTo(VmState.Failed), "inactive records are left alone");
            Assert.That(_logs.Events.Count(e => e.Level == Serilog.Events.LogEventLevel.Warning), Is.EqualTo(4));
        });
        Assert.That(Open(out var again).List(), Has.Count.EqualTo(6));
        Assert.That(again.IsClean, Is.True, "the repair was persisted");
    }

    [TestCase("{ not json")]
    [TestCase("{\"version\": 99, \"vms\": []}")]
    [TestCase("null")]
    [TestCase("{\"version\": 1, \"vms\": null}")]
    public void An_unreadable_state_file_is_moved_aside_and_the_service_starts_empty(string content)
    {
        File.WriteAllText(_layout.StateFile, content);

        var registry = Open(out var report);

        Assert.That(registry.List(), Is.Empty);
        Assert.That(report.QuarantinedStateFile, Is.Not.Null);
        Assert.That(File.ReadAllText(report.QuarantinedStateFile!), Is.EqualTo(content));
        Assert.That(_logs.Events.Any(e => e.Level == Serilog.Events.LogEventLevel.Error), Is.True);
    }

    [Test]
    public void Unusable_records_are_left_out_with_a_log_line_and_kept_in_a_copy()
    {
        var good = $$"""{"owner": 1000, "name": "dev", "definition": {{Definition}}, "state": "Stopped"}""";
        var twin = """{"owner": 1000, "name": "dev", "definition": {"kernelPath": "/other", "kernelParams": []}, "state": "Stopped"}""";
        var badName = $$"""{"owner": 1000, "name": "a/b", "definition": {{Definition}}}""";
        var noDefinition = """{"owner": 1000, "name": "bare", "definition": null}""";
        var content = $"{{\"version\": 1, \"vms\": [{good}, {twin}, null, {badName}, {noDefinition}]}}";
        File.WriteAllText(_layout.StateFile, content);

        var registry = Open(out var report);

        Assert.Multiple(() =>
        {
            Assert.That(registry.List().Single().Definition.KernelPath, Is.EqualTo("/k"), "the first record of a key wins");
            Assert.That(report.SetAsideRecords, Has.Count.EqualTo(4));
            Assert.That(report.SetAsideRecords[0], Does.Contain("record 1").And.Contain("1000/dev is listed more than once"));
            Assert.That(report.SetAsideRecords[1], Is.EqualTo("record 2: null"));
            Assert.That(report.SetAsideRecords[2], Does.Contain("record 3: unusable name"));
            Assert.That(report.SetAsideRecords[3], Does.StartWith("record 4: ").And.Contain("$.definition"));
            Assert.That(File.ReadAllText(report.QuarantinedStateFile!), Is.EqualTo(content), "the copy keeps what was left out");
            // The sink is shared by the fixture's tests: pick this test's line.
            var line = _logs.Events.Single(e => e.RenderMessage().Contains(report.QuarantinedStateFile!, StringComparison.Ordinal)).RenderMessage();
            Assert.That(line, Does.Contain("4 unusable records").And.Contain("listed more than once").And.Contain(report.QuarantinedStateFile));
        });
        Assert.That(Open(out var again).List(), Has.Count.EqualTo(1));
        Assert.That(again.IsClean, Is.True, "the file was rewritten without them");
    }

    [Test]
    public void A_field_a_record_does_not_name_has_its_default_as_in_a_file_older_than_the_field()
    {
        File.WriteAllText(_layout.StateFile, """{"version": 1, "vms": [{"owner": 1000, "name": "old", "definition": {}}, {"owner": 1000, "name": "some", "definition": {"vcpus": 2}}]}""");

        var registry = Open(out var report);

        Assert.Multiple(() =>
        {
            Assert.That(report.SetAsideRecords, Is.Empty);
            Assert.That(registry.Find(new VmKey(1000, "old"))!.Definition.SameAs(new VmDefinition()), Is.True, "every field at the default a new definition has");
            Assert.That(registry.Find(new VmKey(1000, "some"))!.Definition.SameAs(new VmDefinition { Vcpus = 2 }), Is.True);
        });
    }

    // Every reference of a definition, as the service writes it.
    private const string Definition = """{"kernelPath": "/k", "kernelParams": []}""";

    // Each is one record of a file that also holds a good one: the good one must survive it.
    [TestCase($$"""{"name": "x", "definition": {{Definition}}}""", "'owner'")]
    [TestCase($$"""{"owner": 1000, "definition": {{Definition}}}""", "'name'")]
    [TestCase("""{"owner": 1000, "name": "x"}""", "'definition'")]
    [TestCase($$"""{"owner": "me", "name": "x", "definition": {{Definition}}}""", "$.owner")]
    [TestCase($$"""{"owner": -1, "name": "x", "definition": {{Definition}}}""", "$.owner")]
    [TestCase($$"""{"owner": 1000, "name": 7, "definition": {{Definition}}}""", "$.name")]
    [TestCase($$"""{"owner": 1000, "name": null, "definition": {{Definition}}}""", "'Name'")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": []}""", "$.definition")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": null}""", "'Definition'")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"kernelPath": "/k", "kernelParams": [], "vcpus": "many"}}""", "$.definition.vcpus")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"kernelPath": null, "kernelParams": []}}""", "$.definition.kernelPath")]
    [TestCase($$"""{"owner": 1000, "owner": 1001, "name": "x", "definition": {{Definition}}}""", "'owner'")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"vcpus": 1, "vcpus": 2}}""", "'vcpus'")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"kernelPath": "/k", "kernelParams": ["quiet", null]}}""", "a kernel parameter that is null")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"kernelPath": "/k", "kernelParams": [], "startupTimeout": "soon"}}""", "$.definition.startupTimeout")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"disks": [null]}}""", "a disk that is null")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"disks": [{"writable": true}]}}""", "'path'")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"disks": [{"path": null, "writable": true}]}}""", "'Path'")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"disks": "/a.img"}}""", "$.definition.disks")]
    [TestCase("""{"owner": 1000, "name": "x", "definition": {"kernelPath": "/k", "kernelParams": [], "restartPolicy": 7}}""", "unknown restart policy 7")]
    [TestCase($$"""{"owner": 1000, "name": "x", "definition": {{Definition}}, "state": "Exploded"}""", "$.state")]
    [TestCase($$"""{"owner": 1000, "name": "x", "definition": {{Definition}}, "state": 42}""", "unknown state 42")]
    [TestCase($$"""{"owner": 1000, "name": "x", "definition": {{Definition}}, "stopReason": 99}""", "unknown stop reason 99")]
    [TestCase($$"""{"owner": 1000, "name": "x", "definition": {{Definition}}, "cid": "two"}""", "$.cid")]
    [TestCase("\"dev\"", "could not be converted")]
    [TestCase("[]", "could not be converted")]
    public void A_record_of_the_wrong_shape_is_left_out_and_the_others_load(string bad, string said)
    {
        var good = $$"""{"owner": 1000, "name": "dev", "definition": {{Definition}}, "state": "Failed"}""";
        File.WriteAllText(_layout.StateFile, $"{{\"version\": 1, \"vms\": [{good}, {bad}]}}");

        var registry = Open(out var report);

        Assert.Multiple(() =>
        {
            Assert.That(registry.List().Select(r => (r.Name, r.State)), Is.EqualTo(new[] { ("dev", VmState.Failed) }), "the good record loads");
            Assert.That(report.SetAsideRecords, Has.Count.EqualTo(1));
            Assert.That(report.SetAsideRecords[0], Does.StartWith("record 1: ").And.Contain(said));
        });
    }

    private VmRegistry Open(out ReconcileReport report) =>
        VmRegistry.Open(_layout, new DiskImageStore(_layout), _time, _logs.CreateLogger(), out report);
}

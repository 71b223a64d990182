using Concierge.Client;
using Concierge.Vmc.Output;
using NUnit.Framework;

namespace Concierge.Tests.Vmc;

[TestFixture]
[Category("Unit")]
public sealed class VmcOutputTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void Table_pads_columns_right_aligns_numbers_and_leaves_no_trailing_spaces()
    {
        var table = new Table("NAME", "SIZE>", "NOTE");
        table.Add("a", "1", "x");
        table.Add("longer", "1000", "");
        Assert.That(table.ToString(), Is.EqualTo("NAME    SIZE  NOTE\na          1  x\nlonger  1000\n"));
    }

    [Test]
    public void A_row_with_the_wrong_number_of_cells_is_a_bug() =>
        Assert.That(() => new Table("A", "B").Add("only one"), Throws.ArgumentException);

    [TestCase(5, "5s")]
    [TestCase(187, "3m07s")]
    [TestCase(7500, "2h05m")]
    [TestCase(273600, "3d04h")]
    public void Durations_are_short(int seconds, string expected) =>
        Assert.That(Humanize.Duration(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));

    [TestCase(300UL, "300 B")]
    [TestCase(1UL << 30, "1 GiB")]
    [TestCase(3UL << 29, "1.5 GiB")]
    public void Sizes_use_binary_units(ulong bytes, string expected) => Assert.That(Humanize.Bytes(bytes), Is.EqualTo(expected));

    [Test]
    public void List_shows_running_and_stopped_vms()
    {
        var text = VmViews.List(
        [
            new VmDetails { Name = "web", State = VmState.Running, Health = VmHealth.Healthy, Cid = 33, Vcpus = 2, MemoryMiB = 512, StartedAt = Now.AddSeconds(-65) },
            new VmDetails { Name = "db", State = VmState.Stopped, Health = VmHealth.Unknown, Cid = 0, Vcpus = 1, MemoryMiB = 2048 },
        ], Now);
        Assert.That(text, Is.EqualTo(
            "NAME  STATE    HEALTH   CID  VCPUS   MEMORY  UPTIME\n" +
            "db    stopped  -          -      1    2 GiB       -\n" +
            "web   running  healthy   33      2  512 MiB   1m05s\n"));
    }

    [Test]
    public void Json_of_a_vm_has_stable_snake_case_keys()
    {
        var vm = new VmDetails { Name = "web", OwnerId = "0", State = VmState.Running, Health = VmHealth.Healthy, Cid = 33, Vcpus = 2, MemoryMiB = 512, StartedAt = Now.AddSeconds(-10) };
        var json = JsonViews.Vm(vm, Now);
        Assert.That(json["state"]!.GetValue<string>(), Is.EqualTo("running"));
        Assert.That(json["uptime_seconds"]!.GetValue<double>(), Is.EqualTo(10));
        Assert.That(json["started_at"]!.GetValue<string>(), Is.EqualTo("2026-11-23T11:59:50.000Z"));
        Assert.That(json["stop_reason"], Is.Null);
    }

    [Test]
    public void Info_lists_one_field_per_line()
    {
        var text = VmViews.Info(new VmDetails { Name = "web", State = VmState.Failed, FailureReason = "start timeout" }, Now);
        Assert.That(text, Does.Contain("State:").And.Contain("failed").And.Contain("Failure:").And.Contain("start timeout"));
    }

    [Test]
    public void Info_and_json_show_the_guests_own_numbers_once_it_has_beaten()
    {
        var vm = new VmDetails
        {
            Name = "web",
            State = VmState.Running,
            HeartbeatsMissed = 3,
            Guest = new GuestVitals(TimeSpan.FromSeconds(90), 0.5, 0.25, 0.125, 300UL << 20, 480UL << 20),
        };

        var text = VmViews.Info(vm, Now);
        var json = JsonViews.Vm(vm, Now);

        Assert.Multiple(() =>
        {
            Assert.That(text, Does.Contain("Guest load:").And.Contain("0.50 0.25 0.13"));
            Assert.That(text, Does.Contain("Guest memory:").And.Contain("300 MiB available of 480 MiB"));
            Assert.That(text, Does.Contain("Missed beats:").And.Contain(" 3\n"));
            Assert.That(json["heartbeats_missed"]!.GetValue<ulong>(), Is.EqualTo(3));
            Assert.That(json["guest"]!["memory_total_bytes"]!.GetValue<ulong>(), Is.EqualTo(480UL << 20));
            Assert.That(VmViews.Info(vm with { Guest = null }, Now), Does.Not.Contain("Guest load"), "no guest lines before a heartbeat");
        });
    }
}

using Concierge.Service.Api;
using Concierge.Service.Supervision;
using NUnit.Framework;
using Proto = Concierge.Service.Protocol;

namespace Concierge.Tests.Service.Api;

[TestFixture, Category("Unit")]
public sealed class ProtoEnumsTests
{
    [Test]
    public void Every_state_has_its_own_defined_wire_status()
    {
        var statuses = Enum.GetValues<VmState>().Select(ProtoEnums.ToProto).ToList();
        Assert.That(statuses, Is.Unique);
        Assert.That(statuses, Has.All.Matches<Proto.VmStatus>(s => Enum.IsDefined(s) && s != Proto.VmStatus.Unknown));
    }

    [Test]
    public void Every_stop_reason_has_its_own_defined_wire_reason()
    {
        var reasons = Enum.GetValues<VmStopReason>().Select(ProtoEnums.ToProto).ToList();
        Assert.That(reasons, Is.Unique);
        Assert.That(reasons, Has.All.Matches<Proto.VmStopReason>(r => Enum.IsDefined(r)));
        Assert.That(ProtoEnums.ToProto(VmStopReason.StopRequested), Is.EqualTo(Proto.VmStopReason.StopVmRequested));
    }

    [Test]
    public void Restart_policies_round_trip()
    {
        foreach (var policy in Enum.GetValues<RestartPolicy>())
        {
            Assert.That(ProtoEnums.FromProto(ProtoEnums.ToProto(policy)), Is.EqualTo(policy));
        }
    }
}

using Concierge.Service.Protocol;
using Google.Protobuf;
using NUnit.Framework;

namespace Concierge.Tests.Service.Api;

/// <summary>The field numbers we share with Chrome OS are on the wire where Chrome OS puts them.</summary>
[TestFixture, Category("Unit")]
public sealed class ProtoWireTests
{
    [Test]
    public void StartVmRequest_uses_chrome_os_numbers_and_ours_from_1000()
    {
        Assert.Multiple(() =>
        {
            Assert.That(StartVmRequest.NameFieldNumber, Is.EqualTo(4));
            Assert.That(StartVmRequest.OwnerIdFieldNumber, Is.EqualTo(7));
            Assert.That(StartVmRequest.CpusFieldNumber, Is.EqualTo(12));
            Assert.That(StartVmRequest.TimeoutFieldNumber, Is.EqualTo(20));
            Assert.That(StartVmRequest.VmTypeFieldNumber, Is.EqualTo(28));
            Assert.That(StartVmRequest.KernelPathFieldNumber, Is.EqualTo(1000));
        });
        // name = "a": tag (4 << 3 | 2) = 0x22, length 1, 'a'.
        Assert.That(new StartVmRequest { Name = "a" }.ToByteArray(), Is.EqualTo(new byte[] { 0x22, 0x01, (byte)'a' }));
    }

    [Test]
    public void Signals_and_vm_info_use_chrome_os_numbers()
    {
        Assert.Multiple(() =>
        {
            Assert.That(VmInfo.CidFieldNumber, Is.EqualTo(3));
            Assert.That(VmInfo.StatusFieldNumber, Is.EqualTo(8));
            Assert.That(VmInfo.AllocatedMemoryFieldNumber, Is.EqualTo(9));
            Assert.That(VmStoppedSignal.ReasonFieldNumber, Is.EqualTo(4));
            Assert.That(VmStartingUpSignal.CidFieldNumber, Is.EqualTo(4));
            Assert.That(ListVmsResponse.VmsFieldNumber, Is.EqualTo(3));
            Assert.That(DestroyDiskImageResponse.FailureReasonFieldNumber, Is.EqualTo(3));
            Assert.That(ListVmDisksResponse.TotalSizeFieldNumber, Is.EqualTo(4));
            Assert.That((int)VmStatus.Stopped, Is.EqualTo(5));
            Assert.That((int)VmStopReason.SiblingVmExited, Is.EqualTo(5));
            Assert.That((int)DiskImageStatus.DiskStatusBadImage, Is.EqualTo(9));
        });
    }

    [Test]
    public void A_response_round_trips()
    {
        var response = new StartVmResponse { Success = true, Status = VmStatus.Starting, VmInfo = new VmInfo { Cid = 32, Health = VmHealth.Healthy } };
        Assert.That(StartVmResponse.Parser.ParseFrom(response.ToByteArray()), Is.EqualTo(response));
    }
}

using Concierge.Service.Runtime;
using Concierge.Vmm;
using NUnit.Framework;

namespace Concierge.Tests.Service.Runtime;

/// <summary>What a startup timeout says about a guest that never said hello.</summary>
[TestFixture, Category("Unit")]
public sealed class StartupReportTests
{
    private static readonly VcpuActivity[] Vcpu = [new(0, 812, "an I/O write to port 0x3f8")];

    [TestCase("")]
    [TestCase("\r\n  \n")]
    public void NoConsoleOutputSaysSo(string console) =>
        Assert.That(StartupReport.Describe(console, Vcpu),
            Is.EqualTo("no output at all from the kernel on the serial console; vcpu0: 812 exits, the last an I/O write to port 0x3f8"));

    [Test]
    public void TheLastLineIsQuotedEvenWithoutItsLineBreak() =>
        Assert.That(StartupReport.Describe("[    1.2] Freeing unused kernel memory\r\nRun /init as init process\r\nwaiting for the ho", []),
            Is.EqualTo("the console's last line: \"waiting for the ho\""));

    [Test]
    public void ALongLineIsCut()
    {
        var report = StartupReport.Describe(new string('x', 1000) + "\n", Vcpu);
        Assert.That(report, Does.StartWith("the console's last line: \"" + new string('x', 200) + "…\"; vcpu0"));
    }
}

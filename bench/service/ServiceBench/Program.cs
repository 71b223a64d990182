using System.Globalization;
using Concierge.Bench.Service;

// Usage:
//   ServiceBench run ADDRESS SERVICE_EXECUTABLE IMAGE_DIR BOOTS REGISTERED CALLS OUTPUT_MD
//   ServiceBench peer ADDRESS UID                                                  (the replaying peer)
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
return args switch
{
    ["peer", var address, var uid] => await ReplayPeer.ServeAsync(address, uint.Parse(uid, CultureInfo.InvariantCulture)),
    ["run", var address, var service, var images, var boots, var registered, var calls, var output] =>
        await ServiceRun.RunAsync(new ServiceRun.Options(address, service, images, int.Parse(boots, CultureInfo.InvariantCulture),
            int.Parse(registered, CultureInfo.InvariantCulture), int.Parse(calls, CultureInfo.InvariantCulture), output)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ServiceBench run ADDRESS SERVICE IMAGE_DIR BOOTS REGISTERED CALLS OUTPUT_MD | peer ADDRESS UID");
    return 64;
}

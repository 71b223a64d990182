using Concierge.Bench.DBus;

// serve ADDRESS NAME          : own NAME and serve objects (Peer.Ping is answered on every path) until stdin closes
// call ADDRESS DEST PATH INTERFACE MEMBER COUNT LABEL : time COUNT sequential calls, print one result line
return args switch
{
    ["serve", var address, var name] => await BenchServer.RunAsync(address, name),
    ["call", var address, var destination, var path, var @interface, var member, var count, var label] =>
        await BenchClient.RunAsync(address, destination, path, @interface, member, int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), label),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: serve ADDRESS NAME | call ADDRESS DEST PATH INTERFACE MEMBER COUNT LABEL");
    return 2;
}

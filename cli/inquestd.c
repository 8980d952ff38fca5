/* inquestd.c - main() of the inquest daemon.  Everything is in
 * cli_daemon.c, which parses the configuration, and in
 * cli_daemon_stages.c, which starts and stops the stages. */
#include "cli_daemon.h"

int main(int argc, char **argv)
{
    return cli_daemon_main(argc, argv);
}

package io.collector.jumpcloud.app;

import io.collector.jumpcloud.config.SettingsDocs;
import java.io.PrintStream;

/**
 * {@code --help}: the collector's commands, every setting with its default (generated from the
 * settings schema, so it cannot drift from what the collector reads) and the exit codes.
 */
final class HelpCommand {
    private HelpCommand() {
    }

    static int run(PrintStream out) {
        out.print("""
                JumpCloud Directory Insights -> Devo collector

                Usage: java -jar jumpcloud-devo-collector.jar [--check | --health | --help]
                       bin/jumpcloud-devo-collector [--check | --health | --help]   (bounded memory: bench/collector-jvm.opts)

                Commands:
                  (none)      run: every poll interval, pull each service's new events and send them to Devo;
                              without devo.host, a dry run that prints the Devo lines to standard output
                  --check     check the settings, the state folder, one JumpCloud query and the TLS connection
                              to Devo, then exit; nothing is sent and no state is written
                  --health    ask the running collector's /observe/health (camel.server.port, default 9876)
                  --help      this text

                Settings: application.properties in the working directory, -Dname=value, or the environment
                variable in parentheses. A misspelt jumpcloud.*, collector.* or devo.* setting stops the start.
                """);
        out.print(SettingsDocs.help());
        out.print("""
                  camel.server.port, camel.server.host (CAMEL_SERVER_PORT, CAMEL_SERVER_HOST), default 9876, 127.0.0.1
                      where /observe/health and /observe/metrics listen

                Exit codes:
                  0  the run was stopped (SIGTERM, Ctrl-C); --check: every step OK; --health: UP
                  1  --check: a step failed; --health: DOWN or no answer; an unexpected failure
                  2  the collector cannot start: a setting, a route file, a certificate the relay refuses, the
                     health port busy; one line on standard error names the cause, and nothing was sent
                """);
        return 0;
    }
}

package io.collector.jumpcloud.osgi;

import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;

/**
 * The class loader the collector's CamelContext uses in OSGi: this bundle's own first (its classes,
 * routes/, kamelets/ and everything it imports), then the bundles that hold Camel's
 * {@code META-INF/services/org/apache/camel} files (components, languages, type converters, the YAML
 * DSL's routes loader, ...). No bundle exports those files, so Camel's FactoryFinder, which reads them
 * through the context's class loader, would not see them: camel-karaf's OsgiFactoryFinder goes
 * through the bundles for the same reason.
 */
final class CamelBundlesClassLoader extends ClassLoader {
    static final String CAMEL_SERVICES = "META-INF/services/org/apache/camel";
    private static final int RESOLVED = Bundle.RESOLVED | Bundle.STARTING | Bundle.ACTIVE | Bundle.STOPPING;

    private final List<Bundle> bundles = new ArrayList<>();
    private final Map<String, Class<?>> found = new ConcurrentHashMap<>();

    CamelBundlesClassLoader(Bundle own) {
        super(CamelBundlesClassLoader.class.getClassLoader()); // the bundle's own
        for (Bundle b : own.getBundleContext().getBundles()) {
            if (b.getBundleId() != own.getBundleId() && (b.getState() & RESOLVED) != 0) {
                Enumeration<URL> services = b.findEntries(CAMEL_SERVICES, "*", false);
                if (services != null && services.hasMoreElements()) {
                    bundles.add(b);
                }
            }
        }
    }

    /** The bundles with Camel service files, by symbolic name (for the start's log line). */
    List<String> bundleNames() {
        return bundles.stream().map(Bundle::getSymbolicName).toList();
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        Class<?> known = found.get(name);
        if (known != null) {
            return known;
        }
        for (Bundle b : bundles) {
            try {
                Class<?> c = b.loadClass(name);
                found.put(name, c);
                return c;
            } catch (ClassNotFoundException | IllegalStateException e) {
                // not this bundle's (or it was uninstalled meanwhile)
            }
        }
        throw new ClassNotFoundException(name + " is in none of the " + bundles.size() + " Camel bundles");
    }

    @Override
    protected URL findResource(String name) {
        for (Bundle b : bundles) {
            URL u = entry(b, name);
            if (u != null) {
                return u;
            }
        }
        return null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        List<URL> all = new ArrayList<>();
        for (Bundle b : bundles) {
            URL u = entry(b, name);
            if (u != null) {
                all.add(u);
            }
        }
        return Collections.enumeration(all);
    }

    private static URL entry(Bundle b, String name) {
        try {
            return b.getEntry(name.startsWith("/") ? name.substring(1) : name);
        } catch (IllegalStateException uninstalled) {
            return null;
        }
    }
}

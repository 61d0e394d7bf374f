/**
 * Spring Boot auto-configuration for keys: the store, the filter, the admin API and its first key, Spring Security,
 * WebFlux, health and meters. Spring, Spring Security, WebFlux, Actuator and Micrometer are the application's
 * choice: each is read only when present.
 */
module dev.keys.spring {
    requires transitive dev.keys.core;
    requires transitive dev.keys.servlet;
    requires dev.keys.jdbc;
    requires com.github.benmanes.caffeine;
    requires transitive spring.boot;
    requires spring.boot.autoconfigure;
    requires spring.beans;
    requires spring.context;
    requires spring.core;
    requires static spring.web;
    requires static spring.webmvc;
    requires static spring.webflux;
    requires static reactor.core;
    requires static org.reactivestreams;
    requires static transitive spring.security.config;
    requires static transitive spring.security.core;
    requires static spring.security.web;
    requires static spring.boot.health;
    requires static dev.keys.micrometer;
    requires static dev.keys.redis;
    requires static micrometer.core;

    exports dev.keys.spring;
    // Spring instantiates the package-private configuration classes and binds the properties by reflection.
    opens dev.keys.spring;
}

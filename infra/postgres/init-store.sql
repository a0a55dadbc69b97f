-- Runs once, when the Postgres volume is first created: a database and a user for the example
-- store, next to Temporal's own databases (which temporal-schema creates).
CREATE USER store WITH PASSWORD 'store';
CREATE DATABASE store OWNER store;
